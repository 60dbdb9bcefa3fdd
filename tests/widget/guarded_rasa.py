"""A scripted bot behind Hechtwijzer's own socket.io channel, for the widget's tests.

Unlike ``fake_rasa.py`` (Rasa's plain socket.io channel), this runs
``bot.channels.socketio.GuardedSocketIOInput`` as the Rasa server does: signed
sessions, the guard, the rate limits, engine.io attached by our blueprint. Answers
go through the output channel's ``send_response`` with the bot message as Rasa
builds it (a question's ``progress`` among its keys), so what the widget receives is
what the real server sends.

Run: ``python -m tests.widget.guarded_rasa --port 5098``
"""

from __future__ import annotations

import argparse
from typing import Any, Dict

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.socketio import GuardedSocketIOInput
from bot.channels.webchat import WebChatPages
from tests.widget.fake_rasa import SCALE, answer_button


def question(number: int, total: int, text: str) -> Dict[str, Any]:
    """A question as Rasa hands it to the output channel (progress from the action)."""
    buttons = [answer_button(f"q{number:02d}", v, t) for v, t in SCALE]
    return {
        "text": f"Vraag {number} van {total}\n{text}",
        "buttons": buttons,
        "progress": {"number": number, "total": total},
    }


async def scripted_bot(message: UserMessage) -> None:
    """Answer through the channel's own output, like Rasa's message processor."""
    text = message.text or ""
    out = message.output_channel
    who = message.sender_id
    if text == "start vragen":
        await out.send_response(who, question(1, 2, "Ik zoek snel steun."))
    elif text.startswith('/answer_question{"question_id": "q01"'):
        await out.send_response(who, question(2, 2, "Ik blijf graag dichtbij."))
    else:
        await out.send_response(who, {"text": f"Je zei: {text}"})


def build_app(name: str = "guarded_rasa") -> Sanic:
    """The Sanic app: our socket.io channel and the /chat/ pages."""
    app = Sanic(name)
    socket_channel = GuardedSocketIOInput.from_credentials({})
    app.blueprint(
        socket_channel.blueprint(scripted_bot), url_prefix="/webhooks/socketio"
    )
    chat = WebChatPages()
    app.blueprint(chat.blueprint(scripted_bot), url_prefix=chat.url_prefix())
    return app


def main() -> None:
    """Command line entry: serve on 127.0.0.1:<port>."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    build_app().run(host="127.0.0.1", port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
