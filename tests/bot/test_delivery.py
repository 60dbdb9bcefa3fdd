"""Delivery through the shared guard: a message counts only once it arrived.

Channel-neutral: the wrapped channel raises when it could not deliver (as the
Telegram channel does after its retries); ``GuardedOutputChannel`` records it and
``MessageGuard.finish`` sends undelivered help lines again.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import OutputChannel
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import guard as guard_module
from bot.channels.guard import GuardedOutputChannel, MessageGuard, carries_helplines
from hechtwijzer_core.helplines import crisis_reply, helpline_content

DOMAIN = Domain.from_dict(
    {
        "responses": {
            "utter_default": [{"text": "Dat begreep ik niet goed."}],
            "utter_technical_problem": [{"text": "Er ging bij mij even iets mis."}],
        }
    }
)
HELP = crisis_reply(["suicide"])


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def empty_agent() -> Any:
    store = InMemoryTrackerStore(DOMAIN)
    run(store.save(DialogueStateTracker.from_events("u1", [])))
    return SimpleNamespace(tracker_store=store, domain=DOMAIN, action_endpoint=None)


class FlakyOutput(OutputChannel):
    """Keeps what arrives; the first ``failures`` sends raise like a dead network."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.messages: List[Dict[str, Any]] = []

    async def _send(self, message: Dict[str, Any]) -> None:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("channel not reachable")
        self.messages.append(message)

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        await self._send({"text": text})

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: List[Dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        await self._send({"text": text, "buttons": buttons})


def texts(output: FlakyOutput) -> List[str]:
    return [m.get("text", "") for m in output.messages]


@pytest.fixture(autouse=True)
def dead_action_server(monkeypatch: pytest.MonkeyPatch) -> None:
    async def alive(agent: Any) -> bool:
        return False

    monkeypatch.setattr(guard_module, "action_server_alive", alive)


def test_crisis_reply_is_recognised_by_its_help_lines() -> None:
    """The reply built from helplines.yml is a crisis reply; ordinary text is not."""
    assert carries_helplines(HELP)
    for required in helpline_content()["must_appear"]:
        assert required in HELP
    assert not carries_helplines("Vraag 1 van 14")
    assert not carries_helplines("")


def test_a_failed_send_is_recorded_not_counted_and_never_raised() -> None:
    """The wrapper swallows the failure (Rasa must finish the turn) and counts it."""
    inner = FlakyOutput(failures=1)
    output = GuardedOutputChannel(inner)
    run(output.send_response("u1", {"text": "Vraag 1 van 14"}))
    run(output.send_response("u1", {"text": "Vraag 2 van 14"}))
    assert (output.shown, output.failed) == (1, 1)
    assert texts(inner) == ["Vraag 2 van 14"]


def test_buttons_that_never_arrived_are_not_remembered() -> None:
    """Only delivered buttons count as sent (their payloads may be pressed)."""
    inner = FlakyOutput(failures=1)
    output = GuardedOutputChannel(inner)
    buttons = [{"title": "Ja", "payload": "/affirm"}]
    run(output.send_response("u1", {"text": "Zeker?", "buttons": buttons}))
    assert output.sent_payloads == set()


def test_undelivered_help_lines_are_sent_again_by_finish() -> None:
    """The crisis reply failed: finish sends it again, and then it counts."""
    inner = FlakyOutput(failures=1)
    output = GuardedOutputChannel(inner)
    run(output.send_response("u1", {"text": HELP}))
    assert output.shown == 0 and output.crisis_undelivered == [HELP]
    run(MessageGuard().finish(None, "u1", output, "ik wil niet meer leven"))
    assert texts(inner) == [HELP]
    assert output.crisis_shown == 1 and output.shown == 1


def test_help_lines_are_sent_again_even_when_other_messages_arrived() -> None:
    """A delivered follow-up does not make up for help lines that never arrived."""
    inner = FlakyOutput(failures=1)
    output = GuardedOutputChannel(inner)
    run(output.send_response("u1", {"text": HELP}))
    run(output.send_response("u1", {"text": "Ik ben er nog."}))
    run(MessageGuard().finish(empty_agent(), "u1", output, "ik wil niet meer leven"))
    assert texts(inner) == ["Ik ben er nog.", HELP]


def test_silent_crisis_turn_gets_the_offline_reply_when_the_first_send_fails() -> None:
    """Nothing delivered and a crisis text: the offline reply, retried once."""
    inner = FlakyOutput(failures=0)
    output = GuardedOutputChannel(inner)
    run(MessageGuard().finish(empty_agent(), "u1", output, "ik wil niet meer leven"))
    assert len(texts(inner)) == 1 and carries_helplines(texts(inner)[0])


def test_help_lines_that_cannot_be_delivered_at_all_do_not_raise() -> None:
    """Still failing in finish: logged, the turn ends without an exception."""
    inner = FlakyOutput(failures=5)
    output = GuardedOutputChannel(inner)
    run(output.send_response("u1", {"text": HELP}))
    run(MessageGuard().finish(None, "u1", output))
    assert inner.attempts == 2 and texts(inner) == []
    assert output.crisis_shown == 0 and len(output.crisis_undelivered) == 2


def test_an_undelivered_ordinary_reply_is_not_called_a_misunderstanding() -> None:
    """The bot did answer; 'I did not understand' would be wrong (and fail too)."""
    inner = FlakyOutput(failures=1)
    output = GuardedOutputChannel(inner)
    run(output.send_response("u1", {"text": "Vraag 1 van 14"}))
    run(MessageGuard().finish(empty_agent(), "u1", output, "hallo"))
    assert inner.attempts == 1 and texts(inner) == []


def test_a_silent_ordinary_turn_still_gets_a_friendly_reply() -> None:
    """Nothing sent and nothing failed: the friendly message, counted as shown."""
    inner = FlakyOutput()
    output = GuardedOutputChannel(inner)
    run(MessageGuard().finish(empty_agent(), "u1", output, "hallo"))
    assert texts(inner) == ["Er ging bij mij even iets mis."]
    assert output.shown == 1
