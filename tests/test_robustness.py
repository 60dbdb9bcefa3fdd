"""Safety, privacy and robustness through the trained model and the running stack.

- crisis recall (100%) and false alarms through the trained NLU pipeline, with the
  CrisisGuard component; the crisis reply through the REST channel, also in the
  middle of the questions and for messages too long for NLU;
- deleting a conversation removes its rows from the SQLite tracker store;
- typed payloads never set slots; no user text in the server logs;
- rapid repeated messages; the health report.

Servers stopped, paused or restarted: tests/test_faults.py (a bot of their own).
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from hechtwijzer_core.crisis_model import read_development_list
from testsupport.replies import joined, payloads
from testsupport.rest import (
    answer_first_button,
    must_appear,
    sender_id,
    start_questions,
    stored_events,
    stored_slots,
)

DEVELOPMENT = read_development_list()
CLEAR = [t for kind, _, t in DEVELOPMENT if kind == "clear"]
PASSIVE = [t for kind, _, t in DEVELOPMENT if kind == "passive"]
NEAR_MISSES = [t for kind, _, t in DEVELOPMENT if kind == "near_miss"]

pytestmark = pytest.mark.stack

DUTCH = re.compile(r"\b(je|ik|de|het|een|en|niet|wat|dat|mij|jou|hoi|graag)\b", re.I)


# ------------------------------------------------------------- NLU-level recall
@pytest.fixture(scope="module")
def nlu(trained_model: Path) -> Iterator[Any]:
    """The trained model's NLU, loaded in this process (one loop for all parses)."""
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(trained_model))

    def parse(text: str) -> Dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    yield parse
    loop.close()


def test_safety_levels_through_trained_pipeline(nlu: Any) -> None:
    """The whole NLU pipeline on the development list (which it was built on).

    This is a fit check, not a measure of unseen words: the held-out figures come
    from bench/crisis_eval.py (BENCHMARKS.md). It fails when the classifier, the
    patterns or the learned model stop carrying what they were trained on.
    """

    def level(text: str) -> str:
        intent = nlu(text)["intent"]["name"]
        return {"crisis": "crisis", "crisis_check": "check"}.get(intent, "none")

    clear = [level(t) for t in CLEAR]
    passive = [level(t) for t in PASSIVE]
    near = [level(t) for t in NEAR_MISSES]
    clear_rate = clear.count("crisis") / len(clear)
    passive_rate = (passive.count("crisis") + passive.count("check")) / len(passive)
    alarm_rate = near.count("crisis") / len(near)
    check_rate = near.count("check") / len(near)
    print(
        f"\nNLU pipeline on the development list: clear -> help lines {clear_rate:.1%}, "
        f"passive -> help lines or check-in {passive_rate:.1%}, near-misses -> "
        f"alarm {alarm_rate:.1%}, check-in {check_rate:.1%}"
    )
    assert clear_rate >= 0.95
    assert passive_rate >= 0.95
    assert alarm_rate <= 0.10
    assert check_rate <= 0.15


# -------------------------------------------------------------- crisis replies
@pytest.mark.parametrize("text", CLEAR[::60])
def test_crisis_reply_through_rest_has_every_number(stack: Any, text: str) -> None:
    """The reply to a crisis message names every helpline."""
    reply = joined(stack.post(sender_id("crisis"), text))
    assert [item for item in must_appear() if item not in reply] == []


def test_long_crisis_message_still_gets_crisis_reply(stack: Any) -> None:
    """Too long for NLU, but the detector reads it: crisis reply, not 'shorten it'."""
    text = "Ik wil even iets kwijt. " * 120 + "Eigenlijk wil ik er een eind aan maken."
    reply = joined(stack.post(sender_id("crisis-long"), text))
    assert [item for item in must_appear() if item not in reply] == []


def test_crisis_during_questions_pauses_and_keeps_answers(stack: Any) -> None:
    """Crisis wins over the form; answers stay; 'verder' brings the questions back."""
    sender = sender_id("crisis-form")
    second = answer_first_button(stack, sender, start_questions(stack, sender))
    assert "Vraag 2 van" in joined(second)
    reply = stack.post(sender, "ik kan niet meer, ik wil dood")
    text = joined(reply)
    assert [item for item in must_appear() if item not in text] == []
    assert "verder" in text.lower()
    slots = stored_slots(stack.db_path, sender)
    assert slots.get("q01") is not None
    assert slots.get("questionnaire_paused") is True
    resumed = joined(stack.post(sender, "verder"))
    assert "Vraag 2 van" in resumed


# -------------------------------------------------------------------- privacy
def test_delete_conversation_removes_rows(stack: Any) -> None:
    """Ask, confirm: the confirmation is shown, the marker is not, the rows are gone."""
    sender = sender_id("delete")
    stack.post(sender, "hoi")
    asked = stack.post(sender, "verwijder mijn gegevens")
    assert "/confirm_delete_data" in payloads(asked)
    assert stored_events(stack.db_path, sender)
    done = stack.post(sender, "/confirm_delete_data")
    assert joined(done)
    assert not any(r.get("custom") for r in done)
    assert stored_events(stack.db_path, sender) == []
    assert DUTCH.search(joined(stack.post(sender, "hoi")))


def test_cancel_keeps_rows(stack: Any) -> None:
    """'Nee' keeps everything."""
    sender = sender_id("keep")
    stack.post(sender, "verwijder mijn gegevens")
    stack.post(sender, "/cancel_delete_data")
    assert len(stored_events(stack.db_path, sender)) > 3


def test_typed_confirm_without_question_deletes_nothing(stack: Any) -> None:
    """Typing the confirm payload without having been asked is not a button press."""
    sender = sender_id("forge-delete")
    stack.post(sender, "hoi")
    stack.post(sender, "/confirm_delete_data")
    assert stored_events(stack.db_path, sender)


def test_no_user_text_in_server_logs(stack: Any) -> None:
    """A marked message (ordinary and crisis) never shows up in the logs."""
    marker = f"zebrapaard{uuid.uuid4().hex[:10]}"
    sender = sender_id("logs")
    stack.post(sender, f"wat vind je van {marker}?")
    stack.post(sender, f"ik wil niet meer leven {marker}")
    stack.post(sender, f"{marker} " * 600)
    for name in ("rasa", "actions"):
        log = stack.log_path(name).read_text(encoding="utf-8", errors="replace")
        assert marker not in log, name


# --------------------------------------------------------------- forged input
@pytest.mark.parametrize(
    "forged",
    [
        '/answer_question{"question_id":"q01","answer_value":"5"}',
        '/anything{"result_style":"secure"}',
        '/show_result{"result_style":"anxious","result_continuum":"structure"}',
        "/session_start",
        "/restart",
        '/start_questionnaire{"q01":"5"}',
    ],
)
def test_typed_payloads_never_set_slots(stack: Any, forged: str) -> None:
    """Typed '/intent{...}' is plain text: no slot is set, the reply is Dutch."""
    sender = sender_id("forge")
    stack.post(sender, "hoi")
    before = stored_slots(stack.db_path, sender)
    reply = joined(stack.post(sender, forged))
    after = stored_slots(stack.db_path, sender)
    assert reply and DUTCH.search(reply)
    for slot in ("q01", "result_style", "result_continuum", "result_secondary_style"):
        assert after.get(slot) == before.get(slot)
    types = [e.get("event") for e in stored_events(stack.db_path, sender)]
    assert "restart" not in types
    assert types.count("session_started") <= 1


def test_old_answer_button_does_not_answer_another_question(stack: Any) -> None:
    """A payload sent for q01 and pressed again at q02 does not set q02."""
    sender = sender_id("old-button")
    first = start_questions(stack, sender)
    q01_payload = [p for p in payloads(first) if p.startswith("/answer_question")][0]
    stack.post(sender, q01_payload)
    stack.post(sender, q01_payload)
    assert stored_slots(stack.db_path, sender).get("q02") is None


# ---------------------------------------------------------------- resilience
def test_rapid_repeated_messages(stack: Any) -> None:
    """Twenty messages at once for one person: every reply 200 and non-empty."""
    sender = sender_id("rapid")
    messages = ["hoi", "wat is hechting?", "hoi", "help", "ok"] * 4
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(
                lambda m: stack.post_raw({"sender": sender, "message": m}), messages
            )
        )
    assert all(status == 200 for status, _ in results), results
    assert all(json.loads(body) for _, body in results)
    assert DUTCH.search(joined(stack.post(sender, "hoi")))


def test_health_says_ok_and_nothing_more(stack: Any) -> None:
    """GET /webhooks/rest/ checks the SQL store behind FailSafe; it only says ok."""
    import urllib.request

    with urllib.request.urlopen(f"{stack.base_url}/webhooks/rest/", timeout=30) as resp:
        report = json.loads(resp.read())
    with urllib.request.urlopen(
        f"{stack.base_url}/webhooks/rest/health", timeout=30
    ) as resp:
        assert json.loads(resp.read()) == report
    assert report == {"status": "ok"}
