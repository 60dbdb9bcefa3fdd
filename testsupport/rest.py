"""REST conversations with a running stack and what its SQLite tracker store keeps.

The REST channel stores ``sender``'s conversation under ``rest:<sender>``; the
``*_of`` readers take the stored id itself (``web:``, ``tg:`` or ``rest:``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

import yaml

from bot.channels.identity import rest_sender_id
from testsupport.replies import Reply, joined, payloads

ROOT = Path(__file__).resolve().parent.parent


def sender_id(prefix: str) -> str:
    """A fresh conversation id."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# ------------------------------------------------------------ the stored rows
def events_of(db: Path, stored_id: str) -> List[Dict[str, Any]]:
    """The stored events of one conversation, in order."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (stored_id,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


def stored_events(db: Path, sender: str) -> List[Dict[str, Any]]:
    """The stored events of one REST sender."""
    return events_of(db, rest_sender_id(sender))


def stored_slots(db: Path, sender: str) -> Dict[str, Any]:
    """Slot values as the stored events of one REST sender leave them."""
    slots: Dict[str, Any] = {}
    for event in stored_events(db, sender):
        if event.get("event") == "slot":
            slots[event["name"]] = event.get("value")
        elif event.get("event") in ("reset_slots", "restart"):
            slots.clear()
    return slots


def rows_of(db: Path, stored_id: str) -> int:
    """How many events one conversation has stored."""
    with sqlite3.connect(db) as connection:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM events WHERE sender_id = ?", (stored_id,)
            ).fetchone()[0]
        )


def rows_with(db: Path, marker: str) -> int:
    """Stored events whose data holds ``marker`` (whatever the conversation)."""
    with sqlite3.connect(db) as connection:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM events WHERE data LIKE ?", (f"%{marker}%",)
            ).fetchone()[0]
        )


@contextmanager
def refusing_deletes(db: Path) -> Iterator[None]:
    """While inside, the database refuses to delete events (a trigger, then dropped)."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "CREATE TRIGGER hw_test_refuse BEFORE DELETE ON events "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    try:
        yield
    finally:
        with sqlite3.connect(db) as connection:
            connection.execute("DROP TRIGGER hw_test_refuse")


def database_bytes(db: Path) -> bytes:
    """Everything SQLite keeps on disk for the tracker store (file, -wal, -shm)."""
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


# ------------------------------------------------------------ what the bot says
def domain_text(name: str) -> str:
    """The default (not channel-specific) text of a response in domain/safety.yml."""
    data = yaml.safe_load((ROOT / "domain" / "safety.yml").read_text("utf-8"))
    return str(next(v["text"] for v in data["responses"][name] if not v.get("channel")))


def must_appear() -> List[str]:
    """Strings every crisis reply must contain (hechtwijzer_core/content/helplines.yml)."""
    data = yaml.safe_load(
        (ROOT / "hechtwijzer_core" / "content" / "helplines.yml").read_text("utf-8")
    )
    return list(data["must_appear"])


# ------------------------------------------------------------ conversations
def start_questions(stack: Any, sender: str) -> Reply:
    """Greet, press 'start', pick the first relationship; return the first question."""
    greeting = stack.post(sender, "hoi")
    assert "/start_questionnaire" in payloads(greeting), greeting
    context = stack.post(sender, "/start_questionnaire")
    options = payloads(context)
    assert options, context
    question = stack.post(sender, options[0])
    assert "Vraag 1 van" in joined(question), question
    return question


def answer_first_button(stack: Any, sender: str, replies: Reply) -> Reply:
    """Press the first answer button of the current question."""
    answers = [p for p in payloads(replies) if p.startswith("/answer_question")]
    assert answers, replies
    return list(stack.post(sender, answers[0]))


def talk_and_ask_to_delete(stack: Any, sender: str, marker: str) -> None:
    """Say something with ``marker`` in it, then ask to delete (the bot asks back)."""
    stack.post(sender, "hoi")
    stack.post(sender, f"wat betekent {marker} eigenlijk?")
    stack.post(sender, f"ik denk veel na over {marker} in mijn relatie")
    asked = stack.post(sender, "verwijder mijn gegevens")
    assert "/confirm_delete_data" in payloads(asked), asked
