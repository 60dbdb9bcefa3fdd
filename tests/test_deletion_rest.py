"""Deletion through the running bot (REST, SQLite as the server runs it).

- after a delete, the marker word the person typed is in no database file
  (``tracker.db``, ``-wal``, ``-shm``): no free pages, no write-ahead log remnants;
- when the database refuses the delete, the person is told plainly, the answer is
  200, and nothing is deleted (also no tombstone); the next try works;
- after "gewist" the next message starts a fresh, empty conversation.

Stored rows are found by the marker text, not by sender id (the channels may
namespace ids).
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parent.parent


def domain_text(name: str) -> str:
    """The default text of a response in domain/safety.yml."""
    data = yaml.safe_load((ROOT / "domain" / "safety.yml").read_text("utf-8"))
    return str(next(v["text"] for v in data["responses"][name] if not v.get("channel")))


def texts(replies: List[Dict[str, Any]]) -> List[str]:
    return [r["text"] for r in replies if r.get("text")]


def payloads(replies: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def database_bytes(db: Path) -> bytes:
    """Everything SQLite keeps on disk for the tracker store (file, -wal, -shm)."""
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def rows_with(db: Path, marker: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM events WHERE data LIKE ?", (f"%{marker}%",)
            ).fetchone()[0]
        )


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


def talk_and_ask(stack: Any, sender: str, marker: str) -> None:
    """Say something with the marker in it, then ask to delete (the bot asks back)."""
    stack.post(sender, "hoi")
    stack.post(sender, f"wat betekent {marker} eigenlijk?")
    stack.post(sender, f"ik denk veel na over {marker} in mijn relatie")
    asked = stack.post(sender, "verwijder mijn gegevens")
    assert "/confirm_delete_data" in payloads(asked), asked


def test_no_deleted_text_in_any_database_file(stack: Any) -> None:
    marker = f"zeppelin{uuid.uuid4().hex[:10]}"
    sender = f"wipe-{uuid.uuid4().hex[:8]}"
    talk_and_ask(stack, sender, marker)
    assert rows_with(stack.db_path, marker) >= 2
    assert marker.encode() in database_bytes(stack.db_path)
    done = stack.post(sender, "/confirm_delete_data")
    assert texts(done) == [domain_text("utter_data_deleted")]
    assert rows_with(stack.db_path, marker) == 0
    assert marker.encode() not in database_bytes(stack.db_path)
    # The next message is a new, empty conversation: the old words are not known.
    stack.post(sender, "hoi")
    assert rows_with(stack.db_path, marker) == 0


def test_refused_delete_is_told_and_deletes_nothing(stack: Any) -> None:
    """The database refuses the delete: 200, a plain Dutch answer, all rows still there."""
    marker = f"vuurtoren{uuid.uuid4().hex[:10]}"
    sender = f"refuse-{uuid.uuid4().hex[:8]}"
    talk_and_ask(stack, sender, marker)
    stored = rows_with(stack.db_path, marker)
    buried = tombstones(stack.db_path)
    with sqlite3.connect(stack.db_path) as db:
        db.execute(
            "CREATE TRIGGER hw_test_refuse BEFORE DELETE ON events "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    try:
        status, body = stack.post_raw(
            {"sender": sender, "message": "/confirm_delete_data"}
        )
    finally:
        with sqlite3.connect(stack.db_path) as db:
            db.execute("DROP TRIGGER hw_test_refuse")
    assert status == 200, body
    said = texts(yaml.safe_load(body))
    assert said == [domain_text("utter_data_delete_failed")]
    assert not any("gewist." in t and "niets" not in t for t in said)
    assert rows_with(stack.db_path, marker) == stored
    assert tombstones(stack.db_path) == buried
    # Trying again once the database works deletes everything.
    asked = stack.post(sender, "verwijder mijn gegevens")
    assert "/confirm_delete_data" in payloads(asked)
    assert texts(stack.post(sender, "/confirm_delete_data")) == [
        domain_text("utter_data_deleted")
    ]
    assert rows_with(stack.db_path, marker) == 0
