"""Conversations belong to whoever was given them (the running stack).

A victim on the web widget's channel (a real socket.io client) answers every
question and reads their summary. Then others try to read it, to write into it or to
listen in: with the victim's token without its signature, with a made-up signature,
with an id signed by another secret, with ``web:<token>``, with no session at all,
with the victim's id in the message instead of the session, and over REST with every
form of the victim's id. None of them gets the victim's summary or any reply meant
for the victim; the victim's stored conversation does not change. REST cannot reach
a Telegram chat's conversation either.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from typing import Any, Callable, Dict, List, Optional

import pytest
import socketio

from actions.results import question_items, texts
from bot.channels.identity import (
    SessionSigner,
    rest_sender_id,
    telegram_sender_id,
    web_sender_id,
)
from tests.bot.fake_telegram import FakeTelegram, text_update
from tests.bot.test_telegram import StackChat
from tests.services import TEST_SESSION_SECRET

pytestmark = [pytest.mark.stack, pytest.mark.slow]

SIGNER = SessionSigner(TEST_SESSION_SECRET.encode())
# What the victim's summary says about them (anxious in their relationship).
VICTIM_RESULT = "partner: angstig-vastklampende stijl"
Message = Dict[str, Any]


def answer_for(question_id: str) -> str:
    """The answer of a prototype anxious person (as tests/test_results_rest.py)."""
    item = next(i for i in question_items() if i["id"] == question_id)
    if item["dimension"] == "continuum":
        return "4" if item["keyed"] == "+" else "2"
    high = item["dimension"] == "self"
    return "5" if high == (item["keyed"] == "+") else "1"


def quick_replies(messages: List[Message]) -> List[str]:
    """Button payloads in socket.io messages."""
    return [q["payload"] for m in messages for q in m.get("quick_replies") or []]


def joined(messages: List[Message]) -> str:
    """Every text in the messages."""
    return "\n".join(str(m.get("text") or "") for m in messages)


class Person:
    """One socket.io client: asks for a session, talks, keeps what it received."""

    def __init__(self, url: str) -> None:
        """Not connected yet."""
        self.url = url
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

    async def connect(self) -> None:
        """Open the socket (from the bot's own origin)."""
        await self.client.connect(
            self.url, transports=["websocket"], headers={"Origin": self.url}
        )

    async def request(self, session_id: Optional[str]) -> str:
        """Ask for ``session_id``; the id the server confirmed."""
        await self.client.emit("session_request", {"session_id": session_id})
        self.session = str(await asyncio.wait_for(self._confirmed.get(), 10))
        return self.session

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
        await self.client.emit("user_uttered", body)
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


async def answer_all(person: Person, replies: List[Message]) -> List[Message]:
    """Press the bot's own answer buttons until no question is asked any more."""
    for _ in range(40):
        asked = [p for p in quick_replies(replies) if p.startswith("/answer_question")]
        if not asked:
            return replies
        question_id = json.loads("{" + asked[0].split("{", 1)[1])["question_id"]
        value = (
            "partner"
            if question_id == "relationship_context"
            else answer_for(question_id)
        )
        body = {"question_id": question_id, "answer_value": value}
        payload = "/answer_question" + json.dumps(body, separators=(",", ":"))
        assert payload in asked, (payload, asked)
        replies = await person.say(payload, asks_a_question)
    raise AssertionError("the questions never ended")


def stored_events(stack: Any, sender_id: str) -> List[Dict[str, Any]]:
    """The stored events of one conversation."""
    with sqlite3.connect(stack.db_path) as db:
        rows = db.execute(
            "select data from events where sender_id = ? order by id", (sender_id,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


@pytest.fixture(scope="module")
def victim(stack: Any) -> Dict[str, Any]:
    """A web conversation with a result: the signed id, token and summary text."""

    async def run() -> Dict[str, Any]:
        person = Person(stack.base_url)
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

    found = asyncio.run(run())
    assert VICTIM_RESULT in found["summary"], found["summary"]
    assert texts()["summary"]["heading"] in found["summary"]
    # The tests check first that nobody else gets in, then that the id was signed.
    token = SIGNER.verify(found["session"])
    found["token"] = token or found["session"]
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


def test_forged_ids_get_a_fresh_session_and_nothing_of_the_victim(
    stack: Any, victim: Dict[str, Any]
) -> None:
    """Each forged id: a new session; 'samenvatting' there shows nothing of the victim.

    Meanwhile the forgers stay connected while the victim reads the summary again on
    their own socket: only the victim receives it.
    """
    before = len(stored_events(stack, victim["sender"]))
    attempts = forged_ids(victim)

    async def run() -> Dict[str, Any]:
        forgers: Dict[str, Person] = {}
        confirmed: Dict[str, str] = {}
        answers: Dict[str, str] = {}
        for name, forged in attempts.items():
            person = Person(stack.base_url)
            await person.connect()
            confirmed[name] = await person.request(forged)
            answers[name] = joined(await person.say("samenvatting", quiet=2.0))
            forgers[name] = person
        owner = Person(stack.base_url)
        await owner.connect()
        try:
            assert await owner.request(victim["session"]) == victim["session"]
            own = joined(await owner.say("samenvatting", quiet=2.0))
            await forgers[next(iter(forgers))].listen(1.0)
        finally:
            await owner.close()
            for person in forgers.values():
                await person.close()
        heard = {name: joined(p.received) for name, p in forgers.items()}
        return {"confirmed": confirmed, "answers": answers, "own": own, "heard": heard}

    result = asyncio.run(run())
    for name, session in result["confirmed"].items():
        assert VICTIM_RESULT not in result["answers"][name], name
        assert VICTIM_RESULT not in result["heard"][name], name
        assert texts()["summary"]["heading"] not in result["heard"][name], name
        token = SIGNER.verify(session)
        assert token is not None and token != victim["token"], name
    assert VICTIM_RESULT in result["own"]  # the owner still gets their summary
    assert SIGNER.verify(victim["session"]) == victim["token"]
    # the victim's conversation grew only by their own second "samenvatting"
    events = stored_events(stack, victim["sender"])
    users = [e for e in events[before:] if e.get("event") == "user"]
    assert [e.get("text") for e in users] == ["samenvatting"]


def test_one_socket_one_session_and_no_ids_from_messages(
    stack: Any, victim: Dict[str, Any]
) -> None:
    """A socket keeps its first session.

    Session ids in messages, and messages on a socket without a session, count for
    nothing.
    """
    before = len(stored_events(stack, victim["sender"]))
    marker = f"niet van het slachtoffer {uuid.uuid4().hex[:8]}"

    async def run() -> Dict[str, Any]:
        # 1. No session_request at all, the victim's id in the message: ignored.
        silent = Person(stack.base_url)
        await silent.connect()
        await silent.client.emit(
            "user_uttered", {"message": marker, "session_id": victim["session"]}
        )
        await silent.listen(3.0)
        # 2. A session of its own, then the victim's id in every message.
        other = Person(stack.base_url)
        await other.connect()
        own = await other.request(None)
        replies = await other.say(
            "samenvatting", session_id=victim["session"], quiet=2.0
        )
        # 3. A second session_request with the victim's (valid) id: still its own.
        again = await other.request(victim["session"])
        more = await other.say(marker, session_id=victim["session"])
        await silent.close()
        await other.close()
        return {
            "silent": silent.received,
            "own": own,
            "again": again,
            "answers": joined(replies + more),
        }

    result = asyncio.run(run())
    assert VICTIM_RESULT not in result["answers"]
    assert result["silent"] == []
    assert result["again"] == result["own"] != victim["session"]
    assert len(stored_events(stack, victim["sender"])) == before
    token = SIGNER.verify(result["own"])
    assert token is not None
    texts_there = [e.get("text") for e in stored_events(stack, web_sender_id(token))]
    assert marker in texts_there and "samenvatting" in texts_there


def test_rest_cannot_reach_the_web_conversation(
    stack: Any, victim: Dict[str, Any]
) -> None:
    """Every form of the victim's id over REST: a REST conversation of its own."""
    before = len(stored_events(stack, victim["sender"]))
    names = [
        victim["token"],
        victim["sender"],
        victim["session"],
        f"web:{victim['session']}",
    ]
    for name in names:
        replies = stack.post(name, "samenvatting")
        assert VICTIM_RESULT not in joined(replies), name
        assert stored_events(stack, rest_sender_id(name)), name
    assert len(stored_events(stack, victim["sender"])) == before
    assert all(rest_sender_id(name).startswith("rest:") for name in names)


def test_rest_cannot_reach_a_telegram_chat(
    stack: Any, fake_telegram: FakeTelegram
) -> None:
    """A Telegram chat is kept under tg:<chat id>.

    REST with that id (or the bare number) writes elsewhere and sends nothing to the
    chat.
    """
    chat = StackChat(stack, fake_telegram)
    assert chat.post(text_update(chat.uid(), chat.chat_id, "hoi")) == 200
    chat.wait_for_message(lambda m: "Hechtwijzer" in str(m.params.get("text")))
    sender = telegram_sender_id(chat.chat_id)
    stored = stored_events(stack, sender)
    assert [e.get("text") for e in stored if e.get("event") == "user"] == ["hoi"]
    assert stored_events(stack, str(chat.chat_id)) == []
    sent = len(chat.messages())
    for name in (str(chat.chat_id), sender):
        assert stack.post(name, "hallo daar")
        assert stored_events(stack, rest_sender_id(name))
    assert len(stored_events(stack, sender)) == len(stored)
    assert len(chat.messages()) == sent
