"""Runs the Telegram channel's Sanic routes on 127.0.0.1 with a tiny scripted bot.

The scripted bot stands in for Rasa in the channel tests that do not need the trained
model: it records what the channel hands it, answers through the channel's output
channel like Rasa does (``send_response``) and stores its bot messages, buttons
included, in an in-memory tracker store so the shared guard can check button payloads.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import threading
from typing import Any, Dict, List, Tuple

import requests
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from bot.channels.telegram import SECRET_HEADER, TelegramInput, screen
from hechtwijzer_core.helplines import crisis_reply
from testsupport.services import free_port

# A real 1x1 PNG, as the results action sends it.
PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PNG_DATA_URI = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode("ascii")
LONG_PAYLOAD = (
    '/explain_term{"term":"verworven veilige hechting","detail":"uitgebreid en lang"}'
)

SLOW_SECONDS = 1.0  # how long the scripted bot thinks about "traag"

_app_ids = itertools.count(1)


def answer_payload(question_id: str, value: str) -> str:
    """The payload of an answer button, as the questionnaire sends it."""
    return f'/answer_question{{"question_id":"{question_id}","answer_value":"{value}"}}'


def _buttons(question_id: str) -> List[Dict[str, str]]:
    titles = ["Nooit", "Soms", "Vaak"]
    return [
        {"title": title, "payload": answer_payload(question_id, str(i + 1))}
        for i, title in enumerate(titles)
    ]


class FakeAgent:
    """Just what the guard reads from Rasa's agent: tracker store, domain, endpoint."""

    def __init__(self) -> None:
        """An agent with an empty in-memory tracker store."""
        self.domain = Domain.from_dict(
            {"responses": {"utter_default": [{"text": "Dat begreep ik niet goed."}]}}
        )
        self.tracker_store = InMemoryTrackerStore(self.domain)
        self.action_endpoint = None


class ScriptedBot:
    """Answers like a miniature Hechtwijzer (greet, two questions, result picture)."""

    def __init__(self, agent: FakeAgent) -> None:
        """Use ``agent``'s tracker store for the conversation history."""
        self.agent = agent
        self.received: List[Tuple[str, str]] = []
        self.fail_next = False

    async def __call__(self, message: UserMessage) -> None:
        """Handle one message the channel hands over (Rasa's ``on_new_message``)."""
        text = message.text or ""
        self.received.append((message.sender_id or "", text))
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("scripted failure")
        if text == "traag":
            await asyncio.sleep(SLOW_SECONDS)
        screening = await screen(text) if not text.startswith("/") else None
        if screening is not None and screening.level == "crisis":
            replies = [{"text": crisis_reply(screening.categories)}]
        else:
            replies = self.replies_for(text)
        store = self.agent.tracker_store
        tracker = await store.get_or_create_tracker(message.sender_id or "")
        tracker.update(UserUttered(text))
        for reply in replies:
            data = {"buttons": reply["buttons"]} if reply.get("buttons") else None
            tracker.update(BotUttered(reply.get("text"), data=data))
            # Rasa hands each channel a fresh dict (send_response pops its keys).
            await message.output_channel.send_response(
                message.sender_id or "", dict(reply)
            )
        await store.save(tracker)

    @staticmethod
    def replies_for(text: str) -> List[Dict[str, Any]]:
        """The scripted replies (a crisis gets the real help-line reply instead)."""
        if text == "/greet":
            return [
                {
                    "text": "Hoi, ik ben **Hechtwijzer**.",
                    "buttons": [
                        {"title": "Start de vragen", "payload": "/start_questionnaire"},
                        {"title": "Uitleg", "payload": LONG_PAYLOAD},
                    ],
                }
            ]
        if text == "/start_questionnaire":
            return [
                {
                    "text": "Vraag 1 van 2\nIk zoek snel steun.",
                    "buttons": _buttons("q01"),
                }
            ]
        if text.startswith('/answer_question{"question_id":"q01"'):
            return [
                {
                    "text": "Vraag 2 van 2\nIk vertrouw anderen.",
                    "buttons": _buttons("q02"),
                }
            ]
        if text.startswith('/answer_question{"question_id":"q02"'):
            return [{"text": "Je uitkomst: **veilig**."}, {"image": PNG_DATA_URI}]
        if text == LONG_PAYLOAD:
            return [{"text": "Uitleg over verworven veilige hechting."}]
        if text == "/non_text_message":
            return [{"text": "Ik kan alleen tekst lezen."}]
        if text == "lang":
            return [
                {"text": ("Een heel lange zin met <tekens> & meer. " * 60 + "\n") * 4}
            ]
        if text == "stil":
            return []
        return [{"text": f"Je zei: {text}"}]


class ChannelServer:
    """A Sanic app serving one ``TelegramInput`` blueprint, in a background thread."""

    def __init__(self, channel: TelegramInput, bot: ScriptedBot | None = None) -> None:
        """Serve ``channel`` with ``bot`` as Rasa (a fresh scripted bot by default)."""
        self.channel = channel
        self.agent = FakeAgent()
        self.bot = bot or ScriptedBot(self.agent)
        self.port = free_port()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        """The channel's webhook URL."""
        return f"{self.url}/webhooks/telegram/webhook"

    def start(self) -> ChannelServer:
        """Start serving and wait until the start-up listeners ran."""
        ready = threading.Event()
        errors: List[BaseException] = []

        def run() -> None:
            try:
                serve()
            except BaseException as error:  # noqa: BLE001 - reported to start()
                errors.append(error)
                ready.set()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            # Test mode lets Sanic start more than one app in this process.
            Sanic.test_mode = True
            app = Sanic(f"telegram_test_{next(_app_ids)}")
            app.ctx.agent = self.agent
            app.blueprint(
                self.channel.blueprint(self.bot), url_prefix="/webhooks/telegram"
            )
            server = loop.run_until_complete(
                app.create_server(
                    host="127.0.0.1",
                    port=self.port,
                    return_asyncio_server=True,
                    access_log=False,
                )
            )
            self._server = server
            loop.run_until_complete(server.startup())
            loop.run_until_complete(server.before_start())
            loop.run_until_complete(server.after_start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(server.before_stop())
            server.close()
            loop.run_until_complete(server.after_stop())
            loop.close()

        self._thread = threading.Thread(
            target=run, name="telegram-channel", daemon=True
        )
        self._thread.start()
        if not ready.wait(20) or errors:
            raise RuntimeError("channel server did not start") from (
                errors[0] if errors else None
            )
        return self

    def stop(self) -> None:
        """Stop serving (runs the shutdown listeners)."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(20)
        self._thread = None

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every accepted update has been processed."""
        if self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(self.channel.drain(), self._loop)
        future.result(timeout)

    def post(
        self,
        update: Any,
        secret: str | None = None,
        drain: bool = True,
        timeout: float = 30,
    ) -> int:
        """POST an update to the webhook (with ``secret`` as header) and return the status."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if isinstance(update, (bytes, str)):
            resp = requests.post(
                self.webhook_url, data=update, headers=headers, timeout=timeout
            )
        else:
            resp = requests.post(
                self.webhook_url, json=update, headers=headers, timeout=timeout
            )
        if drain:
            self.drain()
        return int(resp.status_code)
