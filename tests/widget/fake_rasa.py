"""A scripted stand-in for the Rasa server, for the widget's browser tests.

It runs Rasa's real socket.io channel (protocol, rooms, session persistence)
and the real ``bot.channels.webchat`` blueprint, but answers with a fixed
script instead of a trained model, so the widget's rendering, buttons,
reconnects and storage can be tested quickly and deterministically.

Run: ``python -m tests.widget.fake_rasa --port 5099``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import struct
import uuid
import zlib
from typing import Any, Dict, List

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.socketio import ProgressSocketIOOutput
from bot.channels.webchat import WebChatPages

RECEIVED: List[Dict[str, Any]] = []
# Switched by GET /mode?...: the database refuses deletes; every session_request gets
# a new session (the server no longer knows the one asked for).
MODE: Dict[str, bool] = {"fail_deletes": False, "fresh_sessions": False}
DELETE_QUESTION = [
    {"title": "Ja, wis alles", "payload": "/confirm_delete_data"},
    {"title": "Nee, laat maar staan", "payload": "/cancel_delete_data"},
]


def tiny_png(width: int = 40, height: int = 20) -> str:
    """A solid-colour PNG as a data: URI (built here, no files needed)."""
    row = b"\x00" + b"\x2f\x6f\x62" * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def answer_button(question: str, value: str, title: str) -> Dict[str, Any]:
    """A button in the project's answer payload format."""
    payload = json.dumps({"question_id": question, "answer_value": value})
    return {"title": title, "payload": f"/answer_question{payload}"}


SCALE = [("1", "Klopt niet"), ("3", "Soms"), ("5", "Klopt helemaal")]


async def ask(
    who: str, sio: Any, number: int, text: str, progress: bool = True
) -> None:
    """A question through the real server's output: progress as message metadata."""
    buttons = [answer_button(f"q{number:02d}", v, t) for v, t in SCALE]
    extra = {"progress": {"number": number, "total": 2}} if progress else {}
    await ProgressSocketIOOutput(sio, "bot_uttered").send_text_with_buttons(
        who, f"Vraag {number} van 2\n{text}", buttons, **extra
    )


async def scripted_bot(message: UserMessage) -> None:
    """Answer like a tiny bot, following a fixed script."""
    text = message.text or ""
    out = message.output_channel
    who = message.sender_id
    RECEIVED.append({"sender_id": who, "text": text})
    if text == "hallo":
        await out.send_text_message(
            who,
            "**Hoi!** Ik ben de *testbot*.\n- eerste punt\n- tweede punt\n"
            "Meer op [de site](https://example.org/uitleg).",
        )
    elif text == "start vragen":
        await ask(who, out.sio, 1, "Ik zoek snel steun.")  # type: ignore[attr-defined]
    elif text.startswith('/answer_question{"question_id": "q01"'):
        await ask(who, out.sio, 2, "Ik blijf graag dichtbij.")  # type: ignore[attr-defined]
    elif text == "vraag zonder gegevens":
        # The Dutch progress line without the data: the widget shows no progress.
        await ask(who, out.sio, 1, "Alleen tekst.", progress=False)  # type: ignore[attr-defined]
    elif text.startswith('/answer_question{"question_id": "q02"') or text == "vijf":
        await out.send_text_message(
            who, "Je antwoorden passen het meest bij **veilig**."
        )
        await out.send_image_url(who, tiny_png())
    elif text == "langzaam":
        await asyncio.sleep(2.5)  # a slow turn, so the typing bubble can be seen
        await out.send_text_message(who, "Daar ben ik weer.")
    elif text == "verwijder mijn gegevens":
        await out.send_text_with_buttons(
            who, "Wil je dat ik alles van dit gesprek wis?", DELETE_QUESTION
        )
    elif text == "/confirm_delete_data" and MODE["fail_deletes"]:
        await out.send_text_message(
            who, "Het wissen is niet gelukt. Er is niets gewist."
        )
    elif text == "/confirm_delete_data":
        await out.send_text_message(who, "Klaar. Ik heb dit gesprek gewist.")
        # What the server sends once the rows are gone: the widget forgets its copy.
        await out.sio.emit(  # type: ignore[attr-defined]
            "bot_uttered", {"hechtwijzer": "delete_conversation"}, room=who
        )
    else:
        await out.send_text_message(who, f"Je zei: {text}")


def build_app(name: str = "fake_rasa") -> Sanic:
    """The Sanic app: socket.io channel, webchat channel, and a /received probe."""
    app = Sanic(name)
    socket_channel = SocketIOInput(session_persistence=True)
    app.blueprint(
        socket_channel.blueprint(scripted_bot), url_prefix="/webhooks/socketio"
    )
    chat = WebChatPages()
    app.blueprint(chat.blueprint(scripted_bot), url_prefix=chat.url_prefix())
    sio = socket_channel.sio
    assert sio is not None

    @sio.on("session_request")
    async def session_request(sid: str, data: Any) -> None:
        """Rasa's handler, except that MODE can make every session a new one."""
        asked = data.get("session_id") if isinstance(data, dict) else None
        session_id = uuid.uuid4().hex if MODE["fresh_sessions"] or not asked else asked
        sio.enter_room(sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid)

    @app.get("/received")
    async def received(_: Request) -> HTTPResponse:
        return response.json(RECEIVED)

    @app.get("/mode")
    async def mode(request: Request) -> HTTPResponse:
        for key in MODE:
            if key in request.args:
                MODE[key] = request.args.get(key) == "1"
        return response.json(MODE)

    return app


def main() -> None:
    """Command line entry: serve on 127.0.0.1:<port>."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    build_app().run(host="127.0.0.1", port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
