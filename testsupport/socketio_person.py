"""A person on the web widget's channel: a real socket.io client, as the widget talks.

``Person`` asks for a session, sends messages with the confirmed session id and keeps
everything it received. ``meet_victim`` has one person answer every question as a
prototype anxious person and read their summary: the conversation the ownership
tests and ``bench/attacks.py`` try to reach from elsewhere.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List, Optional

import socketio

from actions.results import question_items
from bot.channels.identity import SessionSigner, web_sender_id
from testsupport.replies import Reply, joined, quick_replies
from testsupport.services import TEST_SESSION_SECRET

SIGNER = SessionSigner(TEST_SESSION_SECRET.encode())
# What the victim's summary says about them (anxious in their relationship).
VICTIM_RESULT = "partner: angstig-vastklampende stijl"
Message = Dict[str, Any]


class Person:
    """One socket.io client: asks for a session, talks, keeps what it received."""

    def __init__(self, url: str, origin: Optional[str] = None) -> None:
        """Not connected yet; ``origin`` defaults to the bot's own."""
        self.url = url
        self.origin = origin or url
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: List[Message] = []
        self.confirms: List[str] = []
        self.session: Optional[str] = None
        self._new: asyncio.Queue = asyncio.Queue()
        self._confirmed: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", self._on_confirm)

    def _on_bot(self, data: Message) -> None:
        self.received.append(data)
        self._new.put_nowait(data)

    def _on_confirm(self, session_id: str) -> None:
        self.confirms.append(session_id)
        self._confirmed.put_nowait(session_id)

    @property
    def connected(self) -> bool:
        """Whether the socket is still open."""
        return bool(self.client.connected)

    async def connect(self) -> None:
        """Open the socket (websocket transport, with this person's origin)."""
        await self.client.connect(
            self.url, transports=["websocket"], headers={"Origin": self.origin}
        )

    async def request(self, session_id: Optional[str]) -> str:
        """Ask for ``session_id``; the id the server confirmed."""
        await self.client.emit("session_request", {"session_id": session_id})
        self.session = str(await asyncio.wait_for(self._confirmed.get(), 10))
        return self.session

    async def send(self, body: Dict[str, Any]) -> None:
        """Emit ``user_uttered`` with exactly ``body`` (no session id added)."""
        await self.client.emit("user_uttered", body)

    async def collect(self, quiet: float) -> List[Message]:
        """What arrives until nothing new came for ``quiet`` seconds."""
        found: List[Message] = []
        while True:
            try:
                found.append(await asyncio.wait_for(self._new.get(), quiet))
            except asyncio.TimeoutError:
                return found

    async def say(
        self,
        message: str,
        done: Callable[[List[Message]], bool] = lambda _: False,
        session_id: Optional[str] = None,
        quiet: float = 1.0,
    ) -> List[Message]:
        """Send ``message``; the replies, once ``done`` holds or nothing new came.

        Like the widget, every message carries the confirmed session id, unless
        ``session_id`` names another.

        After ``done`` it still waits a second: the server stores the turn after its
        last reply, and a button pressed before that is not yet known as one.
        """
        body: Dict[str, Any] = {"message": message}
        if session_id or self.session:
            body["session_id"] = session_id or self.session
        await self.send(body)
        replies = [await asyncio.wait_for(self._new.get(), 60)]
        while True:
            try:
                wait = 1.0 if done(replies) else quiet
                replies.append(await asyncio.wait_for(self._new.get(), wait))
            except asyncio.TimeoutError:
                return replies

    async def listen(self, seconds: float) -> None:
        """Stay connected a while (eavesdroppers)."""
        await asyncio.sleep(seconds)

    async def close(self) -> None:
        """Disconnect."""
        await self.client.disconnect()


def asks_a_question(messages: List[Message]) -> bool:
    """The turn ended with a question's answer buttons or the result's follow-ups."""
    return bool(quick_replies(messages[-1:]))


def anxious_answer(question_id: str) -> str:
    """The answer of a prototype anxious person (as tests/test_results_rest.py)."""
    item = next(i for i in question_items() if i["id"] == question_id)
    if item["dimension"] == "continuum":
        return "4" if item["keyed"] == "+" else "2"
    high = item["dimension"] == "self"
    return "5" if high == (item["keyed"] == "+") else "1"


async def answer_all(person: Person, replies: Reply) -> Reply:
    """Press the bot's own answer buttons until no question is asked any more."""
    for _ in range(40):
        asked = [p for p in quick_replies(replies) if p.startswith("/answer_question")]
        if not asked:
            return replies
        question_id = json.loads("{" + asked[0].split("{", 1)[1])["question_id"]
        value = (
            "partner"
            if question_id == "relationship_context"
            else anxious_answer(question_id)
        )
        body = {"question_id": question_id, "answer_value": value}
        payload = "/answer_question" + json.dumps(body, separators=(",", ":"))
        assert payload in asked, (payload, asked)
        replies = await person.say(payload, asks_a_question)
    raise AssertionError("the questions never ended")


def meet_victim(base_url: str) -> Dict[str, Any]:
    """A web conversation with a result, made through socket.io.

    Returns the signed ``session`` id, its ``token`` (None when the server did not
    sign it), the stored ``sender`` id and the ``summary`` text the person read.
    """

    async def run() -> Dict[str, Any]:
        person = Person(base_url)
        await person.connect()
        try:
            session = await person.request(None)
            await person.say("hoi")
            replies = await person.say("/start_questionnaire", asks_a_question)
            await answer_all(person, replies)
            summary = await person.say("samenvatting", quiet=2.0)
            return {"session": session, "summary": joined(summary)}
        finally:
            await person.close()

    found = asyncio.run(asyncio.wait_for(run(), 300))
    token = SIGNER.verify(found["session"])
    found["token"] = token
    found["sender"] = web_sender_id(token) if token else found["session"]
    return found


def forged_ids(victim: Dict[str, Any]) -> Dict[str, Optional[str]]:
    """Every way to name the victim's conversation without the server's signature."""
    token = victim["token"]
    other_secret = SessionSigner(b"someone else's secret " + b"x" * 32)
    return {
        "bare token": token,
        "web: prefix": f"web:{token}",
        "made-up signature": f"{token}.{'A' * 43}",
        "signature of another secret": other_secret.sign(token),
        "signature cut short": victim["session"][:-1],
        "sender id with signature": f"web:{victim['session']}",
    }
