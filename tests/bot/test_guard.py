"""The shared channel guard, with a real in-memory tracker store."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import guard as guard_module
from bot.channels.guard import GuardedOutputChannel, MessageGuard
from hechtwijzer_core.contract import DELETE_MARKER
from hechtwijzer_core.helplines import helpline_content

DOMAIN = Domain.from_dict(
    {
        "responses": {
            "utter_default": [{"text": "Dat begreep ik niet goed."}],
            "utter_technical_problem": [{"text": "Er ging bij mij even iets mis."}],
            "utter_data_deleted": [{"text": "Alles is gewist."}],
            "utter_data_delete_failed": [{"text": "Er is niets gewist."}],
        }
    }
)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def agent_with(events: List[Any]) -> Any:
    store = InMemoryTrackerStore(DOMAIN)
    tracker = DialogueStateTracker.from_events("u1", events)
    run(store.save(tracker))
    return SimpleNamespace(tracker_store=store, domain=DOMAIN, action_endpoint=None)


SENT = BotUttered(
    "Vraag 1 van 14",
    data={
        "buttons": [
            {
                "title": "Vaak",
                "payload": '/answer_question{"question_id":"q01","answer_value":"4"}',
            }
        ]
    },
)


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", None, {"x": 1}, ["a"]])
def test_empty_or_unusable_input_becomes_empty_message(raw: Any) -> None:
    assert run(MessageGuard(max_chars=100).prepare(None, "u1", raw)) == "/empty_message"


def test_numbers_are_text() -> None:
    assert run(MessageGuard().prepare(None, "u1", 42)) == "42"


def test_too_long_text_is_replaced_and_crisis_still_wins() -> None:
    guard = MessageGuard(max_chars=50)
    assert run(guard.prepare(None, "u1", "lang verhaal " * 20)) == "/input_too_long"
    crisis_text = "lang verhaal " * 20 + " en eigenlijk wil ik niet meer leven"
    assert run(guard.prepare(None, "u1", crisis_text)) == "/crisis"


def test_payload_of_a_sent_button_is_honoured() -> None:
    agent = agent_with([UserUttered("hoi"), SENT])
    payload = '/answer_question{"question_id":"q01","answer_value":"4"}'
    assert run(MessageGuard().prepare(agent, "u1", payload)) == payload


@pytest.mark.parametrize(
    "typed",
    [
        "/restart",
        "/session_start",
        '/answer_question{"question_id":"q01","answer_value":"5"}',
        '/greet{"result_style":"secure"}',
    ],
)
def test_typed_payloads_are_not_honoured(typed: str) -> None:
    agent = agent_with([UserUttered("hoi"), SENT])
    prepared = run(MessageGuard().prepare(agent, "u1", typed))
    assert not prepared.startswith("/")
    assert prepared == typed.lstrip("/")


def test_trusted_payload_from_the_channel_passes() -> None:
    assert (
        run(MessageGuard().prepare(None, "u1", "/start", trusted_payload="/greet"))
        == "/greet"
    )


def test_control_characters_are_removed() -> None:
    assert run(MessageGuard().prepare(None, "u1", "hoi\x00\x07 daar")) == "hoi   daar"


class Recorder(CollectingOutputChannel):
    pass


@pytest.mark.parametrize("works", [True, False])
def test_delete_marker_is_hidden_and_acted_on(
    monkeypatch: pytest.MonkeyPatch, works: bool
) -> None:
    """The marker is never shown; the outcome is said after the delete, not before."""
    deleted: Dict[str, str] = {}

    async def fake_delete(agent: Any, sender_id: str) -> bool:
        deleted["sender"] = sender_id
        return works

    monkeypatch.setattr(guard_module, "delete_conversation", fake_delete)
    inner = Recorder()
    out = GuardedOutputChannel(inner)
    run(out.send_response("u1", {"custom": DELETE_MARKER}))
    assert inner.messages == []
    run(MessageGuard().finish(agent_with([]), "u1", out))
    said = "Alles is gewist." if works else "Er is niets gewist."
    assert [m.get("text") for m in inner.messages] == [said]
    assert all("custom" not in m for m in inner.messages)
    assert deleted == {"sender": "u1"}
    # Channels tell their client to forget its copy only after a real deletion.
    assert out.delete_requested is works and out.deleted is works


def test_silence_becomes_a_friendly_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    async def alive(agent: Any) -> bool:
        return False

    monkeypatch.setattr(guard_module, "action_server_alive", alive)
    inner = Recorder()
    run(MessageGuard().finish(agent_with([]), "u1", GuardedOutputChannel(inner)))
    assert [m["text"] for m in inner.messages] == ["Er ging bij mij even iets mis."]


def test_silence_with_healthy_action_server_asks_to_rephrase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def alive(agent: Any) -> bool:
        return True

    monkeypatch.setattr(guard_module, "action_server_alive", alive)
    inner = Recorder()
    run(MessageGuard().finish(agent_with([]), "u1", GuardedOutputChannel(inner)))
    assert [m["text"] for m in inner.messages] == ["Dat begreep ik niet goed."]


def test_silent_crisis_turn_still_gets_the_help_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def alive(agent: Any) -> bool:
        return False

    monkeypatch.setattr(guard_module, "action_server_alive", alive)
    inner = Recorder()
    agent = agent_with(
        [
            UserUttered(
                "ik wil niet meer leven", intent={"name": "crisis", "confidence": 1.0}
            )
        ]
    )
    run(
        MessageGuard().finish(
            agent, "u1", GuardedOutputChannel(inner), "ik wil niet meer leven"
        )
    )
    reply = "\n".join(m["text"] for m in inner.messages)
    helplines = str(helpline_content())
    for number in ("0800-0113", "112"):
        assert number in helplines and number in reply


def _turn_with_buttons(guard: MessageGuard, sender: str, payloads: List[str]) -> None:
    """One turn in which this server sent buttons with ``payloads``."""
    output = GuardedOutputChannel(CollectingOutputChannel())
    buttons = [{"title": p, "payload": p} for p in payloads]
    run(output.send_response(sender, {"text": "Kies maar", "buttons": buttons}))
    run(guard.finish(None, sender, output))


def test_buttons_this_server_just_sent_need_no_tracker_read() -> None:
    guard = MessageGuard()
    _turn_with_buttons(
        guard, "u9", ['/answer_question{"question_id":"q01","answer_value":"3"}']
    )
    # No agent, so no tracker can be read: only the memory can let it through.
    pressed = '/answer_question{"question_id":"q01","answer_value":"3"}'
    assert run(guard.prepare(None, "u9", pressed)) == pressed
    # Another person cannot use it, and a forged one is still refused.
    assert run(guard.prepare(None, "someone-else", pressed)) != pressed
    forged = '/answer_question{"question_id":"q01","answer_value":"5"}'
    assert run(guard.prepare(None, "u9", forged)) != forged


def test_remembered_buttons_are_forgotten_when_the_conversation_is_deleted() -> None:
    guard = MessageGuard()
    _turn_with_buttons(guard, "u8", ["/confirm_delete_data"])
    output = GuardedOutputChannel(CollectingOutputChannel())
    run(output.send_response("u8", {"text": "Weg", "custom": DELETE_MARKER}))
    run(guard.finish(agent_with([]), "u8", output))
    assert output.deleted is True
    assert (
        run(guard.prepare(None, "u8", "/confirm_delete_data")) != "/confirm_delete_data"
    )


def test_button_memory_is_bounded() -> None:
    guard = MessageGuard(recent_limit=3)
    for number in range(5):
        _turn_with_buttons(guard, f"p{number}", [f"/x{number}"])
    assert list(guard.recent_payloads) == ["p2", "p3", "p4"]
    assert run(guard.prepare(None, "p0", "/x0")) != "/x0"
