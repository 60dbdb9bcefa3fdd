"""The guarded turn every channel runs (bot/channels/pipeline.py), without Rasa running.

A scripted bot stands in for Rasa's ``on_new_message``; the agent is just what the
guard reads (an in-memory tracker store, a domain, no action server).
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any, AsyncIterator, Callable, Dict, List, Optional

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain

from bot.channels import guard as guard_module
from bot.channels.guard import MessageGuard
from bot.channels.identity import owns_sender
from bot.channels.pipeline import (
    ForeignSender,
    TurnOutcome,
    TurnPipeline,
    TurnRequest,
)
from bot.channels.ratelimit import RateLimiter, RateSettings, limit_text
from hechtwijzer_core import contract
from hechtwijzer_core.helplines import crisis_reply

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
SENDER = "rest:p1"
CRISIS_TEXT = "ik wil niet meer leven"
ANSWER = '/answer_question{"question_id":"q01","answer_value":"3"}'


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def fake_agent() -> Any:
    return SimpleNamespace(
        tracker_store=InMemoryTrackerStore(DOMAIN), domain=DOMAIN, action_endpoint=None
    )


def limiter(burst: float = 10, queue: int = 5) -> RateLimiter:
    settings = RateSettings(
        per_minute=1, burst=burst, address_per_minute=1, address_burst=100, queue=queue
    )
    return RateLimiter(settings, clock=lambda: 0.0)


class Bot:
    """Stands in for Rasa: records what it got, answers with ``replies``."""

    def __init__(self, *replies: Dict[str, Any]) -> None:
        self.replies = list(replies)
        self.received: List[UserMessage] = []
        self.fail = False
        self.watch: Optional[Callable[[UserMessage], Any]] = None
        self.during: List[Any] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.watch is not None:
            self.during.append(self.watch(message))
        if self.fail:
            raise RuntimeError("the turn broke")
        assert message.output_channel is not None
        for reply in self.replies:
            await message.output_channel.send_response(
                message.sender_id or "", dict(reply)
            )

    @property
    def texts(self) -> List[str]:
        return [m.text or "" for m in self.received]


def pipeline(
    guard: Optional[MessageGuard] = None, limits: Optional[RateLimiter] = None
) -> TurnPipeline:
    chosen = limits or limiter()
    return TurnPipeline("rest", guard, lambda: chosen)


def turn(
    pipe: TurnPipeline,
    bot: Bot,
    message: Any,
    inner: Optional[CollectingOutputChannel] = None,
    agent: Any = None,
    **request: Any,
) -> TurnOutcome:
    outcome: TurnOutcome = run(
        pipe.handle(
            agent if agent is not None else fake_agent(),
            TurnRequest(SENDER, message, **request),
            inner if inner is not None else CollectingOutputChannel(),
            bot,
        )
    )
    return outcome


def shown(inner: CollectingOutputChannel) -> List[str]:
    return [str(m.get("text")) for m in inner.messages]


def shown_text(inner: CollectingOutputChannel) -> str:
    """What arrived, paragraphs joined again (the channel splits on blank lines)."""
    return "\n\n".join(shown(inner))


# ------------------------------------------------------------------ input rules
def test_a_channel_never_runs_a_turn_in_another_channels_conversation() -> None:
    pipe = pipeline()
    bot = Bot({"text": "hoi"})
    for foreign in ("web:abc", "tg:42", "p1", ""):
        with pytest.raises(ForeignSender):
            run(
                pipe.handle(
                    None, TurnRequest(foreign, "hoi"), CollectingOutputChannel(), bot
                )
            )
    assert bot.received == []
    assert owns_sender("socketio", "web:abc") and owns_sender("telegram", "tg:42")
    assert not owns_sender("socketio", "rest:web:abc")


def test_a_message_over_the_limits_is_not_processed() -> None:
    pipe = pipeline(limits=limiter(burst=1))
    bot = Bot({"text": "hoi"})
    assert not turn(pipe, bot, "hallo").refused
    inner = CollectingOutputChannel()
    outcome = turn(pipe, bot, "nog eens hallo", inner)
    assert outcome.refused and not outcome.deleted
    assert bot.texts == ["hallo"] and inner.messages == []
    assert pipe.refusal_text() == limit_text()


def test_a_possible_crisis_is_never_refused_by_the_limits() -> None:
    pipe = pipeline(limits=limiter(burst=1))
    bot = Bot({"text": "hoi"})
    turn(pipe, bot, "hallo")
    assert not turn(pipe, bot, CRISIS_TEXT).refused
    assert bot.texts == ["hallo", CRISIS_TEXT]


def test_a_button_press_carries_no_text_for_the_crisis_screen() -> None:
    pipe = pipeline(limits=limiter(burst=1))
    bot = Bot({"text": "hoi"})
    turn(pipe, bot, "hallo")
    assert turn(pipe, bot, CRISIS_TEXT, screened="").refused


def test_the_turn_counts_as_running_for_its_conversation() -> None:
    limits = limiter()
    pipe = pipeline(limits=limits)
    bot = Bot({"text": "hoi"})
    bot.watch = lambda message: limits.busy(message.sender_id)
    turn(pipe, bot, "hallo")
    assert bot.during == [1] and limits.busy(SENDER) == 0


def test_a_full_queue_refuses_the_next_message() -> None:
    limits = limiter(queue=1)
    pipe = pipeline(limits=limits)
    with limits.running(SENDER):
        assert turn(pipe, Bot(), "hallo").refused


@pytest.mark.parametrize("raw", ["", "  \n", None, {"x": 1}])
def test_empty_input_reaches_rasa_as_the_empty_message(raw: Any) -> None:
    bot = Bot({"text": "hoi"})
    turn(pipeline(), bot, raw)
    assert bot.texts == [contract.EMPTY_MESSAGE]


def test_text_over_the_size_cap_is_replaced_after_the_crisis_screen() -> None:
    pipe = pipeline(MessageGuard(max_chars=40))
    bot = Bot({"text": "hoi"})
    turn(pipe, bot, "een heel lang verhaal " * 5)
    turn(pipe, bot, "een heel lang verhaal " * 5 + CRISIS_TEXT)
    assert bot.texts == [contract.INPUT_TOO_LONG, contract.CRISIS_PAYLOAD]


def test_typed_payloads_are_text_unless_the_bot_sent_that_button() -> None:
    pipe = pipeline()
    ask = Bot({"text": "Vraag 1", "buttons": [{"title": "Soms", "payload": ANSWER}]})
    turn(pipe, ask, "hoi")
    bot = Bot({"text": "ok"})
    turn(pipe, bot, "/restart")
    turn(pipe, bot, ANSWER)
    turn(pipe, bot, ANSWER.replace('"3"', '"5"'))
    assert bot.texts == ["restart", ANSWER, ANSWER[1:].replace('"3"', '"5"')]


def test_a_payload_the_channel_vouches_for_passes() -> None:
    bot = Bot({"text": "hoi"})
    turn(pipeline(), bot, "/start", trusted_payload="/greet")
    assert bot.texts == ["/greet"]


def test_client_metadata_does_not_reach_rasa() -> None:
    bot = Bot({"text": "hoi"})
    turn(pipeline(), bot, "hallo", metadata={"slots": {"x": 1}})
    assert bot.received[0].metadata is None
    assert bot.received[0].input_channel == "rest"


@pytest.mark.parametrize(
    "text, expected", [(CRISIS_TEXT, True), ("hallo daar", False), ("  ", False)]
)
def test_crisis_pre_screen_of_text_not_handed_over_whole(
    text: str, expected: bool
) -> None:
    assert run(TurnPipeline.must_reach_rasa(text)) is expected


def test_crisis_pre_screen_lets_rasa_decide_when_the_detector_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(text: str) -> None:
        return None

    monkeypatch.setattr(guard_module, "screen_text", broken)
    assert run(TurnPipeline.must_reach_rasa("hallo daar")) is True


# ------------------------------------------------------------------ output
def test_the_delete_marker_is_acted_on_and_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deleted: List[str] = []

    async def fake_delete(agent: Any, sender_id: str) -> bool:
        deleted.append(sender_id)
        return True

    monkeypatch.setattr(guard_module, "delete_conversation", fake_delete)
    inner = CollectingOutputChannel()
    outcome = turn(pipeline(), Bot({"custom": contract.DELETE_MARKER}), "wis", inner)
    assert outcome.deleted and deleted == [SENDER]
    assert shown(inner) == ["Alles is gewist."]
    assert all("custom" not in m for m in inner.messages)


class FlakyOutput(CollectingOutputChannel):
    """Fails the first ``failures`` sends, then delivers."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("not delivered")
        await super()._persist_message(message)


def test_help_lines_that_did_not_arrive_are_sent_again() -> None:
    reply = crisis_reply(())
    inner = FlakyOutput(failures=1)
    outcome = turn(pipeline(), Bot({"text": reply}), CRISIS_TEXT, inner)
    assert shown_text(inner) == reply.strip()
    assert outcome.output is not None and outcome.output.crisis_shown == 1


def test_help_lines_go_outside_a_turn_too() -> None:
    inner = CollectingOutputChannel()
    assert run(TurnPipeline.deliver_helplines(inner, "tg:42", ("suicide",)))
    assert shown_text(inner) == crisis_reply(("suicide",)).strip()


# ------------------------------------------------------------------ after the turn
def test_a_silent_turn_gets_a_friendly_reply() -> None:
    inner = CollectingOutputChannel()
    turn(pipeline(), Bot(), "hallo", inner)
    assert shown(inner) == ["Dat begreep ik niet goed."]


def test_a_failing_turn_still_answers_and_never_raises() -> None:
    bot = Bot({"text": "hoi"})
    bot.fail = True
    inner = CollectingOutputChannel()
    outcome = turn(pipeline(), bot, "hallo", inner)
    assert not outcome.refused and shown(inner) == ["Dat begreep ik niet goed."]


def test_a_failing_crisis_turn_still_gets_the_help_lines() -> None:
    bot = Bot()
    bot.fail = True
    inner = CollectingOutputChannel()
    turn(pipeline(), bot, CRISIS_TEXT, inner)
    assert "0800-0113" in shown_text(inner) and "112" in shown_text(inner)


def test_thinking_covers_rasas_part_only() -> None:
    steps: List[str] = []

    @asynccontextmanager
    async def thinking() -> AsyncIterator[None]:
        steps.append("typing on")
        yield
        steps.append("typing off")

    class Recorder(CollectingOutputChannel):
        async def _persist_message(self, message: Dict[str, Any]) -> None:
            steps.append(f"sent {message.get('text')}")
            await super()._persist_message(message)

    pipe = TurnPipeline("telegram", limiter=lambda: limiter())
    run(
        pipe.run_turn(
            fake_agent(), TurnRequest("tg:42", "hallo"), Recorder(), Bot(), thinking
        )
    )
    assert steps == ["typing on", "typing off", "sent Dat begreep ik niet goed."]
