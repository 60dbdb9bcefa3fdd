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
import uuid
from typing import Any, Dict, List

import pytest

from actions.results import texts
from bot.channels.identity import rest_sender_id, telegram_sender_id, web_sender_id
from tests.bot.test_telegram import StackChat
from testsupport.fake_telegram import FakeTelegram, text_update
from testsupport.replies import joined
from testsupport.rest import events_of
from testsupport.socketio_person import (
    SIGNER,
    VICTIM_RESULT,
    Person,
    forged_ids,
    meet_victim,
)

pytestmark = [pytest.mark.stack, pytest.mark.slow]


def stored_events(stack: Any, stored_id: str) -> List[Dict[str, Any]]:
    """The stored events of one conversation (its id as the store keeps it)."""
    return events_of(stack.db_path, stored_id)


@pytest.fixture(scope="module")
def victim(stack: Any) -> Dict[str, Any]:
    """A web conversation with a result: the signed id, token and summary text."""
    found = meet_victim(stack.base_url)
    assert VICTIM_RESULT in found["summary"], found["summary"]
    assert texts()["summary"]["heading"] in found["summary"]
    # The tests check first that nobody else gets in, then that the id was signed.
    found["token"] = found["token"] or found["session"]
    return found


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
