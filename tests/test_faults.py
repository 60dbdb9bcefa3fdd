"""Faults injected into a running bot of each test's own (``disposable_stack``).

- the action server stopped, paused (SIGSTOP) or hanging longer than the action
  timeout, then back;
- Rasa restarted in the middle of the questions (the SQLite tracker store keeps
  the answers);
- the database refusing a delete: the person is told plainly, nothing is deleted
  (also no tombstone), and the next try works.

The shared ``stack`` never sees these faults: each test gets a fresh bot, stopped
afterwards whatever the test left behind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, Tuple

import pytest

from testsupport.replies import joined, payloads, texts
from testsupport.rest import (
    answer_first_button,
    domain_text,
    must_appear,
    refusing_deletes,
    rows_with,
    sender_id,
    start_questions,
    stored_slots,
    talk_and_ask_to_delete,
)
from testsupport.stack import Stack

pytestmark = [pytest.mark.stack, pytest.mark.slow]

# Set by the disposable stack (tests/conftest.py).
ACTION_TIMEOUT = 8


def test_action_server_down_then_back(disposable_stack: Stack) -> None:
    """Down: a friendly Dutch message (and the crisis numbers); back: normal again."""
    stack = disposable_stack
    sender = sender_id("down")
    stack.post(sender, "hoi")
    stack.stop_process("actions")
    reply = joined(stack.post(sender, "verwijder mijn gegevens"))
    assert "ging bij mij even iets mis" in reply
    crisis_reply = joined(stack.post(sender, "ik wil niet meer leven"))
    assert [item for item in must_appear() if item not in crisis_reply] == []
    stack.start_actions()
    back = stack.post(sender, "verwijder mijn gegevens")
    assert "/confirm_delete_data" in payloads(back)


def test_paused_action_server_answers_when_it_resumes(disposable_stack: Stack) -> None:
    """Stalled (SIGSTOP) for less than the timeout: the turn completes once it goes on."""
    stack = disposable_stack
    sender = sender_id("slow")
    stack.post(sender, "hoi")
    proc = stack.procs["actions"]
    result: Dict[str, Tuple[int, str]] = {}
    worker = threading.Thread(
        target=lambda: result.update(
            r=stack.post_raw({"sender": sender, "message": "verwijder mijn gegevens"})
        )
    )
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        worker.start()
        worker.join(3)
        assert worker.is_alive()
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    worker.join(120)
    status, body = result["r"]
    assert status == 200
    assert "/confirm_delete_data" in payloads(json.loads(body))


def test_hanging_action_server_gets_a_friendly_message_in_time(
    disposable_stack: Stack,
) -> None:
    """Stalled longer than HW_ACTION_TIMEOUT: the friendly message, no 5-minute wait."""
    stack = disposable_stack
    assert stack.env["HW_ACTION_TIMEOUT"] == str(ACTION_TIMEOUT)
    sender = sender_id("hang")
    stack.post(sender, "hoi")
    proc = stack.procs["actions"]
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = joined(stack.post(sender, "verwijder mijn gegevens", timeout=120))
        waited = time.monotonic() - started
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    print(f"reply after {waited:.1f} s with the action server stalled")
    assert waited < 60
    assert "ging bij mij even iets mis" in reply
    assert "/confirm_delete_data" in payloads(
        stack.post(sender, "verwijder mijn gegevens")
    )


def test_rasa_restart_mid_questionnaire_keeps_answers(disposable_stack: Stack) -> None:
    """Answers survive a Rasa restart (SQLite tracker store); the questions go on."""
    stack = disposable_stack
    sender = sender_id("restart")
    second = answer_first_button(stack, sender, start_questions(stack, sender))
    assert "Vraag 2 van" in joined(second)
    stack.stop_process("rasa")
    stack.start_rasa()
    assert stored_slots(stack.db_path, sender).get("q01") is not None
    third = answer_first_button(stack, sender, second)
    assert "Vraag 3 van" in joined(third)
    slots = stored_slots(stack.db_path, sender)
    assert slots.get("q01") is not None and slots.get("q02") is not None


def tombstones(db: Path) -> int:
    """Deletion records (tombstones); 0 where the table does not exist yet."""
    with sqlite3.connect(db) as connection:
        try:
            row = connection.execute(
                "SELECT COUNT(*) FROM hw_deleted_conversations"
            ).fetchone()
        except sqlite3.OperationalError:
            return 0
        return int(row[0])


def test_refused_delete_is_told_and_deletes_nothing(disposable_stack: Stack) -> None:
    """The database refuses the delete: 200, a plain Dutch answer, all rows still there."""
    stack = disposable_stack
    marker = f"vuurtoren{uuid.uuid4().hex[:10]}"
    sender = sender_id("refuse")
    talk_and_ask_to_delete(stack, sender, marker)
    stored = rows_with(stack.db_path, marker)
    buried = tombstones(stack.db_path)
    with refusing_deletes(stack.db_path):
        status, body = stack.post_raw(
            {"sender": sender, "message": "/confirm_delete_data"}
        )
    assert status == 200, body
    said = texts(json.loads(body))
    assert said == [domain_text("utter_data_delete_failed")]
    assert rows_with(stack.db_path, marker) == stored
    assert tombstones(stack.db_path) == buried
    # Trying again once the database works deletes everything.
    asked = stack.post(sender, "verwijder mijn gegevens")
    assert "/confirm_delete_data" in payloads(asked)
    assert texts(stack.post(sender, "/confirm_delete_data")) == [
        domain_text("utter_data_deleted")
    ]
    assert rows_with(stack.db_path, marker) == 0
