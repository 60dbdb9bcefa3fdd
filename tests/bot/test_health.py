"""Tests for bot/health.py: a failing tracker store is loud, never silent."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    SQLTrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import health

SECRET_TEXT = "mijn geheime zin 4711"


@pytest.fixture
def sql_store(tmp_path: Path) -> SQLTrackerStore:
    """A real SQLTrackerStore on a SQLite file."""
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "h.db"))


def agent_with(store: object, alarm: bool = True) -> SimpleNamespace:
    """An object shaped like rasa's Agent as far as health checks care.

    With ``alarm`` the FailSafe wrapper has the alarm, as every agent built in a
    server gets it (``bot.rasa_patches``, ``tracker_store_alarm``).
    """
    agent = SimpleNamespace(
        tracker_store=FailSafeTrackerStore(AwaitableTrackerStore(store))
    )
    if alarm:
        health.install_failure_alarm_on(agent.tracker_store)
    return agent


def break_database(store: SQLTrackerStore) -> None:
    """Drop the events table so every read and write fails."""
    with store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE events"))


def test_healthy_sql_store(sql_store: SQLTrackerStore) -> None:
    """A reachable database with an events table is ok."""
    report = health.tracker_store_health(agent_with(sql_store))
    assert report["status"] == "ok"
    assert report["tracker_store"]["type"] == "SQLTrackerStore"
    assert report["tracker_store"]["persistent"] is True
    assert report["tracker_store"]["failures"] == 0


def test_broken_database_is_an_error(
    sql_store: SQLTrackerStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A live check that fails gives status 'error' and an ERROR log line."""
    break_database(sql_store)
    with caplog.at_level(logging.ERROR):
        report = health.tracker_store_health(agent_with(sql_store))
    assert report["status"] == "error"
    assert report["tracker_store"]["reachable"] is False
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_failed_save_is_logged_without_text_and_degrades_health(
    sql_store: SQLTrackerStore, caplog: pytest.LogCaptureFixture
) -> None:
    """FailSafe's silent fallback becomes an ERROR log and a 'degraded' report."""
    agent = agent_with(sql_store)
    health.install_failure_alarm(agent)
    break_database(sql_store)
    tracker = DialogueStateTracker.from_events("anna", [UserUttered(SECRET_TEXT)])
    with caplog.at_level(logging.DEBUG, logger="bot.health"):
        asyncio.run(agent.tracker_store.save(tracker))
    alarm_lines = [r.getMessage() for r in caplog.records if r.name == "bot.health"]
    assert alarm_lines and "FAILED" in alarm_lines[0]
    assert all(SECRET_TEXT not in line for line in alarm_lines)
    # the database comes back, but the recent failure still shows
    sql_store.Base.metadata.create_all(sql_store.engine)
    report = health.tracker_store_health(agent)
    assert report["status"] == "degraded"
    assert report["tracker_store"]["failures"] == 1
    assert SECRET_TEXT not in str(report)
    later = health.tracker_store_health(
        agent, now=time.time() + health.failure_window() + 1
    )
    assert later["status"] == "ok"


def test_failed_read_is_loud(
    sql_store: SQLTrackerStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed read (which makes Rasa start an empty conversation) is counted too."""
    agent = agent_with(sql_store)
    alarm = health.install_failure_alarm(agent)
    break_database(sql_store)
    assert asyncio.run(agent.tracker_store.retrieve("anna")) is None
    assert alarm is not None and alarm.count == 1


def test_install_is_idempotent(sql_store: SQLTrackerStore) -> None:
    """Installing twice keeps one alarm with one count."""
    agent = agent_with(sql_store)
    assert health.install_failure_alarm(agent) is health.install_failure_alarm(agent)


def test_health_check_installs_nothing_and_reports_a_missing_alarm(
    sql_store: SQLTrackerStore,
) -> None:
    """Without the alarm the report says so; checking health does not install it."""
    agent = agent_with(sql_store, alarm=False)
    report = health.tracker_store_health(agent)
    assert report["tracker_store"]["alarm"] == "missing"
    assert report["status"] == "ok"
    assert health.failure_alarm(agent) is None
    health.install_failure_alarm(agent)
    assert "alarm" not in health.tracker_store_health(agent)["tracker_store"]


def test_in_memory_store_reports_not_persistent() -> None:
    """An in-memory store is reachable but not persistent."""
    report = health.tracker_store_health(
        agent_with(InMemoryTrackerStore(Domain.empty()))
    )
    assert report["status"] == "ok"
    assert report["tracker_store"]["persistent"] is False


def test_no_agent() -> None:
    """Without an agent the report is an error, not an exception."""
    assert health.tracker_store_health(None)["status"] == "error"


def test_describe_error_strips_sql_parameters() -> None:
    """SQL errors lose their statement and parameters."""
    error = sa.exc.OperationalError(
        "INSERT INTO events VALUES (?)", (SECRET_TEXT,), Exception("boom")
    )
    text = health.describe_error(error)
    assert SECRET_TEXT not in text
    assert text.startswith("OperationalError")


def test_real_tracker_store_unwraps(sql_store: SQLTrackerStore) -> None:
    """The real store is found behind both wrappers."""
    assert health.real_tracker_store(agent_with(sql_store).tracker_store) is sql_store
