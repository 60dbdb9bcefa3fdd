"""Retention that runs: batched clean-up, kept new conversations, loud failures."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, List

import pytest
import yaml
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import cleanup, health, retention, serving, settings, startup_checks

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


def tracker(sender: str, timestamp: float) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen", timestamp=timestamp),
            UserUttered("hallo", {"name": "greet"}, timestamp=timestamp),
            BotUttered("Hoi!", timestamp=timestamp),
        ],
    )


@pytest.fixture
def store(tmp_path: Path) -> SQLTrackerStore:
    """Seven conversations: five older than 30 days, two recent."""
    sql = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    now = time.time()

    async def fill() -> None:
        for number in range(5):
            await sql.save(tracker(f"old-{number}", now - (40 + number) * DAY))
        await sql.save(tracker("new-0", now - 2 * DAY))
        await sql.save(tracker("new-1", now))

    asyncio.run(fill())
    return sql


def senders(path: Path) -> List[str]:
    with sqlite3.connect(path) as db:
        return sorted(r[0] for r in db.execute("SELECT DISTINCT sender_id FROM events"))


def test_old_conversations_go_in_batches_new_ones_stay(
    store: SQLTrackerStore, tmp_path: Path
) -> None:
    done = cleanup.expire(FailSafeTrackerStore(store), days=30, batch=2)
    assert (done.conversations, done.rows, done.batches) == (5, 15, 3)
    assert senders(tmp_path / "t.db") == ["new-0", "new-1"]
    with sqlite3.connect(tmp_path / "t.db") as db:
        buried = {
            r[0] for r in db.execute("SELECT sender_key FROM hw_deleted_conversations")
        }
    assert buried == {cleanup.sender_key(f"old-{n}") for n in range(5)}


def test_a_conversation_that_came_back_meanwhile_is_kept(
    store: SQLTrackerStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between finding old conversations and deleting them, old-2 got a message."""
    original = cleanup._stale_senders

    def found_then_came_back(engine: Any, cutoff: float) -> List[str]:
        found = original(engine, cutoff)

        async def message() -> None:
            current = await store.retrieve("old-2")
            assert current is not None
            current.update(UserUttered("ik ben er weer", {"name": "greet"}))
            await store.save(current)

        asyncio.run(message())
        return found

    monkeypatch.setattr(cleanup, "_stale_senders", found_then_came_back)
    done = cleanup.expire(store, days=30, batch=10)
    assert done.conversations == 4
    assert senders(tmp_path / "t.db") == ["new-0", "new-1", "old-2"]


def test_a_failed_batch_rolls_back_alone_and_is_loud(
    store: SQLTrackerStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The second batch fails: the first stays deleted, the failure is logged and reported."""
    with sqlite3.connect(tmp_path / "t.db") as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE DELETE ON events WHEN OLD.sender_id = 'old-3' "
            "BEGIN SELECT RAISE(ABORT, 'database disk image is malformed'); END"
        )
    state = retention.RetentionState()
    monkeypatch.setattr(retention, "STATE", state)
    monkeypatch.setenv("HW_CLEANUP_BATCH", "2")
    with caplog.at_level(logging.INFO, logger="bot"):
        assert retention.run_once(store, state) is False
    # sorted: [old-0, old-1] deleted, [old-2, old-3] rolled back, old-4 not reached
    assert senders(tmp_path / "t.db") == ["new-0", "new-1", "old-2", "old-3", "old-4"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("Retention clean-up FAILED" in r.getMessage() for r in errors)
    assert "malformed" in (state.last_error or "")
    agent = SimpleNamespace(tracker_store=FailSafeTrackerStore(store))
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot"):
        report = health.tracker_store_health(agent)
    assert report["retention"]["status"] == "failed"
    assert "malformed" in report["retention"]["last_error"]
    assert report["status"] == "ok"  # serving still works: not out of rotation
    assert any("clean-up FAILED" in r.getMessage() for r in caplog.records)
    # The next run, with the database fixed, finishes the job.
    with sqlite3.connect(tmp_path / "t.db") as db:
        db.execute("DROP TRIGGER refuse")
    assert retention.run_once(store, state) is True
    assert senders(tmp_path / "t.db") == ["new-0", "new-1"]
    assert health.tracker_store_health(agent)["retention"]["status"] == "ok"


def test_the_schedule_runs_at_start_and_then_every_interval(
    store: SQLTrackerStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HW_CLEANUP_INTERVAL_HOURS", "0.0003")  # about a second
    state = retention.RetentionState()

    async def scenario() -> None:
        task = asyncio.create_task(
            retention.run_forever(lambda: store, state, first_delay=0.1)
        )
        await asyncio.sleep(0.8)
        assert state.runs == 1 and state.last_ok is True
        await asyncio.sleep(1.5)
        task.cancel()

    asyncio.run(scenario())
    assert state.runs >= 2
    assert senders(tmp_path / "t.db") == ["new-0", "new-1"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 86400.0), ("6", 21600.0), ("0.5", 1800.0), ("0", 86400.0), ("x", 86400.0)],
)
def test_interval_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: Any, seconds: float
) -> None:
    """Hours, fractions allowed; zero or nonsense cannot switch the clean-up off."""
    if value is None:
        monkeypatch.delenv("HW_CLEANUP_INTERVAL_HOURS", raising=False)
    else:
        monkeypatch.setenv("HW_CLEANUP_INTERVAL_HOURS", value)
    assert retention.interval_seconds() == seconds


def test_every_profile_starts_the_schedule(tmp_path: Path) -> None:
    """Both profiles start Rasa with credentials.yml, which lists the schedule."""
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert "bot.retention.RetentionSchedule" in credentials
    for profile in ("embedded", "production"):
        env = settings.load_env(
            {
                "HW_PROFILE": profile,
                "HW_DB_URL": "postgresql://u:p@db:5432/hw",
                "HW_REDIS_HOST": "redis",
                "HW_SESSION_SECRET": "s" * 40,
                "HW_REST_TOKEN": "t" * 40,
            }
        )
        command = serving.server_commands(env, tmp_path / "model.tar.gz")["rasa"]
        assert command[command.index("--credentials") + 1] == "credentials.yml"


def test_the_command_line_runs_the_same_clean_up(
    store: SQLTrackerStore, tmp_path: Path
) -> None:
    """``python -m bot.retention --once`` (the compose service without the loop)."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert retention.main(["--once", "--db-url", url]) == 0
    assert senders(tmp_path / "t.db") == ["new-0", "new-1"]
    with sqlite3.connect(tmp_path / "t.db") as db:
        db.execute("DROP TABLE hw_deleted_conversations")
        db.execute("CREATE TABLE hw_deleted_conversations (broken INTEGER)")
    asyncio.run(store.save(tracker("old-9", time.time() - 90 * DAY)))
    assert retention.main(["--once", "--db-url", url]) == 1


def test_compose_sketch_has_a_cleanup_service() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    service = compose["services"]["cleanup"]
    assert service["command"] == ["python", "-m", "bot.retention"]
    environment = service["environment"]
    source = "".join(
        Path(m.__file__ or "").read_text(encoding="utf-8")
        for m in (settings, startup_checks)
    )
    assert all(
        name in settings.DEFAULTS or f'"{name}"' in source for name in environment
    )
    rasa = compose["x-rasa"]["environment"]
    assert environment["HW_DB_URL"] == rasa["HW_DB_URL"]
    assert environment["HW_PROFILE"] == rasa["HW_PROFILE"] == "production"


@pytest.mark.parametrize(
    "ignore_file", [".gitignore", "deploy/Dockerfile.dockerignore"]
)
def test_database_side_files_stay_out_of_git_and_images(ignore_file: str) -> None:
    lines = (ROOT / ignore_file).read_text(encoding="utf-8").splitlines()
    assert {"*.db", "*.db-wal", "*.db-shm", "*.db-*"} <= set(lines)
