"""The Rasa server deletes old conversations by itself, and says so when it cannot.

One Rasa server (no action server needed) on a SQLite file that already holds a
conversation older than the retention period and a recent one; the clean-up runs
every ~2 seconds here (``HW_CLEANUP_INTERVAL_HOURS``), daily by default.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

from testsupport.services import free_port, stack_env
from testsupport.stack import Stack

pytestmark = [pytest.mark.stack, pytest.mark.slow]

DAY = 86400.0


def add_conversation(db: Path, sender: str, marker: str, timestamp: float) -> None:
    """A stored conversation, rows as Rasa writes them."""
    events = [
        {"event": "action", "name": "action_listen", "timestamp": timestamp},
        {"event": "user", "text": f"iets over {marker}", "timestamp": timestamp},
        {"event": "bot", "text": f"Over {marker}.", "timestamp": timestamp},
    ]
    with sqlite3.connect(db, timeout=30) as connection:
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) "
            "VALUES (?, ?, ?, ?)",
            [(sender, e["event"], timestamp, json.dumps(e)) for e in events],
        )


def rows_with(db: Path, marker: str) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM events WHERE data LIKE ?", (f"%{marker}%",)
            ).fetchone()[0]
        )


def wait_until(check: Callable[[], bool], timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_the_server_cleans_up_and_a_failure_is_loud(
    trained_model: Path, tmp_path: Path
) -> None:
    rasa_port, action_port = free_port(), free_port()
    extra = {"HW_CLEANUP_INTERVAL_HOURS": "0.0005", "PYTHONUNBUFFERED": "1"}
    env = stack_env(tmp_path, rasa_port, action_port, extra)
    server = Stack(trained_model, tmp_path, env, rasa_port, action_port)
    db = server.db_path
    now = time.time()
    old, new = f"oud{uuid.uuid4().hex[:8]}", f"nieuw{uuid.uuid4().hex[:8]}"
    try:
        server.start_rasa()
        log = server.log_path("rasa")
        add_conversation(db, "old-person", old, now - 40 * DAY)
        add_conversation(db, "recent-person", new, now - 1 * DAY)
        kept = rows_with(db, new)
        assert kept == 2  # the person's message and the bot's answer
        assert wait_until(lambda: rows_with(db, old) == 0), log.read_text()[-3000:]
        assert rows_with(db, new) == kept
        assert wait_until(lambda: "Retention clean-up: deleted" in log.read_text())

        # The database refuses deletes: the next runs fail, at ERROR, and keep trying.
        with sqlite3.connect(db, timeout=30) as connection:
            connection.execute(
                "CREATE TRIGGER refuse BEFORE DELETE ON events "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        failing = f"faal{uuid.uuid4().hex[:8]}"
        add_conversation(db, "another-old-person", failing, now - 50 * DAY)
        assert wait_until(lambda: "Retention clean-up FAILED" in log.read_text())
        failed = [
            line
            for line in log.read_text().splitlines()
            if "Retention clean-up FAILED" in line
        ]
        assert "ERROR" in failed[0] and "disk I/O error" in failed[0]
        assert rows_with(db, failing) == 2 and rows_with(db, new) == kept
        with sqlite3.connect(db, timeout=30) as connection:
            connection.execute("DROP TRIGGER refuse")
        assert wait_until(lambda: rows_with(db, failing) == 0)
        assert rows_with(db, new) == kept
    finally:
        server.stop()
