"""Tests for bot/cleanup.py: conversations really leave the database."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import List

import pytest
from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    SQLTrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import cleanup

DAY = 86400.0


def make_tracker(sender_id: str, timestamp: float) -> DialogueStateTracker:
    """A small conversation whose events all carry ``timestamp``."""
    events = [
        ActionExecuted("action_listen", timestamp=timestamp),
        UserUttered("hallo", {"name": "greet", "confidence": 1.0}, timestamp=timestamp),
        BotUttered("Hoi!", timestamp=timestamp),
    ]
    return DialogueStateTracker.from_events(sender_id, events)


def sqlite_rows(db: Path, sender_id: str) -> int:
    """Count the rows of one sender straight from the SQLite file."""
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)
        ).fetchone()
    return int(count)


@pytest.fixture
def sql_store(tmp_path: Path) -> SQLTrackerStore:
    """A real SQLTrackerStore on a SQLite file in a temp dir."""
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))


def save(store: object, *trackers: DialogueStateTracker) -> None:
    """Save trackers through the (async) tracker store API."""
    for tracker in trackers:
        asyncio.run(store.save(tracker))  # type: ignore[attr-defined]


def test_delete_sender_removes_rows_from_sqlite(
    sql_store: SQLTrackerStore, tmp_path: Path
) -> None:
    """All rows of the sender are gone from the file; other people stay."""
    now = time.time()
    save(sql_store, make_tracker("anna", now), make_tracker("bram", now))
    db = tmp_path / "t.db"
    assert sqlite_rows(db, "anna") > 0
    deleted = cleanup.delete_sender(sql_store, "anna")
    assert deleted > 0
    assert sqlite_rows(db, "anna") == 0
    assert sqlite_rows(db, "bram") > 0
    assert asyncio.run(sql_store.retrieve("anna")) is None


def test_delete_sender_unwraps_failsafe_and_awaitable(
    sql_store: SQLTrackerStore, tmp_path: Path
) -> None:
    """The store the Agent holds is wrapped twice; the rows still go."""
    wrapped = FailSafeTrackerStore(AwaitableTrackerStore(sql_store))
    save(wrapped, make_tracker("anna", time.time()))
    assert cleanup.delete_sender(wrapped, "anna") > 0
    assert sqlite_rows(tmp_path / "t.db", "anna") == 0


def test_delete_sender_also_clears_failsafe_fallback(
    sql_store: SQLTrackerStore,
) -> None:
    """A conversation that ended up in the in-memory fallback is deleted too."""
    fallback = InMemoryTrackerStore(Domain.empty())
    wrapped = FailSafeTrackerStore(sql_store, fallback_tracker_store=fallback)
    save(fallback, make_tracker("anna", time.time()))
    assert cleanup.delete_sender(wrapped, "anna") > 0
    assert "anna" not in fallback.store


def test_delete_sender_in_memory() -> None:
    """InMemoryTrackerStore: the tracker is removed; unknown senders delete nothing."""
    store = InMemoryTrackerStore(Domain.empty())
    save(store, make_tracker("anna", time.time()))
    assert cleanup.delete_sender(store, "anna") >= 3
    assert asyncio.run(store.retrieve("anna")) is None
    assert cleanup.delete_sender(store, "nobody") == 0


def test_delete_expired_sqlite(sql_store: SQLTrackerStore, tmp_path: Path) -> None:
    """Only conversations whose newest event is older than the limit go."""
    now = time.time()
    old = make_tracker("old", now - 40 * DAY)
    mixed = make_tracker("mixed", now - 40 * DAY)
    mixed.update(UserUttered("nog een vraag", timestamp=now - 1 * DAY))
    save(sql_store, old, mixed, make_tracker("new", now))
    deleted = cleanup.delete_expired(FailSafeTrackerStore(sql_store), days=30, now=now)
    db = tmp_path / "t.db"
    assert deleted == 3
    assert sqlite_rows(db, "old") == 0
    assert sqlite_rows(db, "mixed") == 4
    assert sqlite_rows(db, "new") == 3


def test_delete_expired_accepts_engine_and_url(
    sql_store: SQLTrackerStore, tmp_path: Path
) -> None:
    """An engine or a URL string work as well as a store."""
    now = time.time()
    save(sql_store, make_tracker("a", now - 10 * DAY), make_tracker("b", now - 3 * DAY))
    assert cleanup.delete_expired(sql_store.engine, days=7, now=now) == 3
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert cleanup.delete_expired(url, days=2, now=now) == 3
    assert sqlite_rows(tmp_path / "t.db", "b") == 0


def test_delete_expired_in_memory() -> None:
    """In-memory trackers expire by their newest event too."""
    store = InMemoryTrackerStore(Domain.empty())
    now = time.time()
    save(store, make_tracker("old", now - 31 * DAY), make_tracker("new", now))
    assert cleanup.delete_expired(store, days=30, now=now) == 3
    assert list(store.store) == ["new"]


def test_delete_expired_rejects_negative_days(sql_store: SQLTrackerStore) -> None:
    """A negative retention is a mistake, not 'delete the future'."""
    with pytest.raises(ValueError):
        cleanup.delete_expired(sql_store, days=-1)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 30), ("7", 7), ("x", 30), ("0", 1)]
)
def test_retention_days_from_env(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int
) -> None:
    """HW_RETENTION_DAYS sets the default retention (30 when unset or invalid)."""
    if value is None:
        monkeypatch.delenv("HW_RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("HW_RETENTION_DAYS", value)
    assert cleanup.retention_days() == expected


def test_cli_reads_endpoints_and_env(
    sql_store: SQLTrackerStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`python -m bot.cleanup --days N` finds the database through endpoints.yml."""
    now = time.time()
    save(sql_store, make_tracker("old", now - 40 * DAY), make_tracker("new", now))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: ${HW_DB_DIALECT}\n  url: ${HW_DB_URL}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HW_DB_DIALECT", "sqlite")
    monkeypatch.setenv("HW_DB_URL", f"sqlite:///{tmp_path / 't.db'}")
    assert cleanup.main(["--days", "30", "--endpoints", str(endpoints)]) == 0
    assert "deleted 3 event rows" in capsys.readouterr().out
    assert sqlite_rows(tmp_path / "t.db", "old") == 0
    assert sqlite_rows(tmp_path / "t.db", "new") == 3


def test_cli_without_sql_store(tmp_path: Path) -> None:
    """Without a SQL tracker store the CLI says so and fails."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n  url: http://localhost:5055/webhook\n", encoding="utf-8"
    )
    assert cleanup.main(["--endpoints", str(endpoints)]) == 1


def _postgres_url() -> str:
    """URL of a throw-away local Postgres, or '' when none is reachable."""
    import os

    return os.environ.get("HW_TEST_POSTGRES_URL", "")


def test_delete_sender_and_expired_postgres(postgres_url: str) -> None:
    """Same deletions on a real PostgreSQL server (started by the tests)."""
    store = SQLTrackerStore(Domain.empty(), host=postgres_url)
    now = time.time()
    save(store, make_tracker("pg-anna", now), make_tracker("pg-old", now - 40 * DAY))
    assert cleanup.delete_sender(FailSafeTrackerStore(store), "pg-anna") == 3
    assert cleanup.delete_expired(store, days=30, now=now) == 3
    keys: List[str] = list(asyncio.run(store.keys()))
    assert "pg-anna" not in keys and "pg-old" not in keys
