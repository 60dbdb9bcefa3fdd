"""Deletion on request is true: under the lock, told after it worked, never half done.

The channel guard deletes after the turn that asked for it (``MessageGuard.finish``),
with real tracker stores (SQLite as the server runs it, PostgreSQL), Rasa's real lock
store and the real domain texts.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator, List, Optional

import pytest
import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot import cleanup
from bot.channels.guard import GuardedOutputChannel, MessageGuard
from bot.tracker_store import SegmentedSQLTrackerStore
from hechtwijzer_core.contract import DELETE_MARKER

ROOT = Path(__file__).resolve().parents[2]


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The real Hechtwijzer domain (its delete texts are what people read)."""
    return Domain.load(str(ROOT / "domain"))


def text_of(domain: Domain, name: str) -> str:
    """The default (no channel) text of a domain response."""
    return str(next(v["text"] for v in domain.responses[name] if not v.get("channel")))


def _insecure_default(dbapi_connection: Any, _record: Any) -> None:
    """Start connections as most SQLite builds do (Debian's turns secure_delete on)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA secure_delete=OFF")


@pytest.fixture
def server_like_sqlite() -> Iterator[None]:
    """SQLite as the Rasa server runs it (the store's own WAL engine, bot/tracker_store.py).

    Connections start with ``secure_delete`` off, the SQLite default that Debian's
    build changes: what is deleted must not depend on how SQLite was built.
    """
    event.listen(Engine, "connect", _insecure_default, insert=True)  # runs first
    yield
    event.remove(Engine, "connect", _insecure_default)


def sqlite_store(tmp_path: Path, domain: Domain) -> SegmentedSQLTrackerStore:
    return SegmentedSQLTrackerStore(
        domain, dialect="sqlite", db=str(tmp_path / "tracker.db")
    )


def conversation(sender: str, marker: str, turns: int = 3) -> DialogueStateTracker:
    """A conversation in which the person said ``marker`` (and the bot repeated it)."""
    events: List[Any] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]
    for number in range(turns):
        events += [
            UserUttered(
                f"ik wil iets vertellen over {marker} ({number})",
                {"name": "faq", "confidence": 1.0},
            ),
            BotUttered(f"Je vertelde over {marker}."),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events(sender, events)


def rows(engine: sa.engine.Engine, sender: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"),
                {"s": sender},
            ).scalar()
        )


def rows_mentioning(engine: sa.engine.Engine, marker: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text("SELECT COUNT(*) FROM events WHERE data LIKE :m"),
                {"m": f"%{marker}%"},
            ).scalar()
        )


def tombstones(engine: sa.engine.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text("SELECT COUNT(*) FROM hw_deleted_conversations")
            ).scalar()
        )


def agent_of(store: Any, domain: Domain, lock_store: Optional[Any] = None) -> Any:
    """What the guard uses of Rasa's Agent: stores (wrapped as Rasa does), domain."""
    return SimpleNamespace(
        tracker_store=FailSafeTrackerStore(store),
        lock_store=lock_store or InMemoryLockStore(),
        domain=domain,
        action_endpoint=None,
    )


class Watcher(CollectingOutputChannel):
    """Records, for every message shown, how many rows the person still had."""

    def __init__(self, engine: sa.engine.Engine, sender: str) -> None:
        super().__init__()
        self.engine = engine
        self.sender = sender
        self.rows_when_shown: List[int] = []

    async def _persist_message(self, message: Any) -> None:
        self.rows_when_shown.append(rows(self.engine, self.sender))
        await super()._persist_message(message)


def delete_turn(inner: Any, sender: str) -> GuardedOutputChannel:
    """The output of a turn in which action_delete_data sent its marker."""
    output = GuardedOutputChannel(inner)
    run(output.send_response(sender, {"custom": DELETE_MARKER}))
    return output


# ------------------------------------------------------------ told after the fact
def test_gewist_is_said_only_after_the_rows_are_gone(
    tmp_path: Path, domain: Domain
) -> None:
    store = sqlite_store(tmp_path, domain)
    run(store.save(conversation("anna", "vuurtoren")))
    run(store.save(conversation("bram", "vuurtoren")))
    watcher = Watcher(store.engine, "anna")
    output = delete_turn(watcher, "anna")
    assert watcher.messages == []  # the marker itself says nothing
    run(MessageGuard().finish(agent_of(store, domain), "anna", output))
    assert [m["text"] for m in watcher.messages] == [
        text_of(domain, "utter_data_deleted")
    ]
    assert watcher.rows_when_shown == [0]
    assert rows(store.engine, "bram") > 0
    assert output.deleted is True and output.delete_requested is True


def test_delete_waits_for_the_conversation_lock(tmp_path: Path, domain: Domain) -> None:
    """A turn of the same person holds the lock: the delete waits until it ends."""
    store = sqlite_store(tmp_path, domain)
    run(store.save(conversation("anna", "vuurtoren")))
    locks = InMemoryLockStore()
    watcher = Watcher(store.engine, "anna")
    output = delete_turn(watcher, "anna")

    async def scenario() -> None:
        async with locks.lock("anna"):  # another turn of anna is running
            task = asyncio.create_task(
                MessageGuard().finish(agent_of(store, domain, locks), "anna", output)
            )
            await asyncio.sleep(1.5)
            assert rows(store.engine, "anna") > 0
            assert watcher.messages == []
        await asyncio.wait_for(task, 10)

    run(scenario())
    assert rows(store.engine, "anna") == 0
    assert watcher.rows_when_shown == [0]


# ------------------------------------------------------------ failures: told, whole
def test_refused_delete_is_told_and_nothing_is_half_done(
    tmp_path: Path, domain: Domain
) -> None:
    """The database refuses the delete after the tombstone was written: all rolls back."""
    store = sqlite_store(tmp_path, domain)
    run(store.save(conversation("anna", "vuurtoren")))
    before = rows(store.engine, "anna")
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE DELETE ON events "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    watcher = Watcher(store.engine, "anna")
    output = delete_turn(watcher, "anna")
    run(MessageGuard().finish(agent_of(store, domain), "anna", output))
    assert [m["text"] for m in watcher.messages] == [
        text_of(domain, "utter_data_delete_failed")
    ]
    assert rows(store.engine, "anna") == before
    assert tombstones(store.engine) == 0
    assert output.deleted is False and output.delete_requested is False
    # Once the database works again, the same request deletes everything.
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        db.execute("DROP TRIGGER refuse")
    output = delete_turn(watcher, "anna")
    run(MessageGuard().finish(agent_of(store, domain), "anna", output))
    assert rows(store.engine, "anna") == 0
    assert watcher.messages[-1]["text"] == text_of(domain, "utter_data_deleted")


def test_database_down_is_told_and_deletes_nothing(
    postgres_url: str, domain: Domain
) -> None:
    """PostgreSQL stops taking connections: the person is told; nothing is deleted."""
    name = f"hw_down_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    store = SegmentedSQLTrackerStore(domain, host=url)
    try:
        run(store.save(conversation("anna", "vuurtoren")))
        before = rows(store.engine, "anna")
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
            )
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}'"
            )
        store.engine.dispose()
        watcher = CollectingOutputChannel()
        output = delete_turn(watcher, "anna")
        run(MessageGuard().finish(agent_of(store, domain), "anna", output))
        assert [m["text"] for m in watcher.messages] == [
            text_of(domain, "utter_data_delete_failed")
        ]
        assert output.delete_requested is False
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
            )
        assert rows(store.engine, "anna") == before
        assert tombstones(store.engine) == 0
    finally:
        store.engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
            )
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


# ---------------------------------------------------------------- no resurrection
def stale_turn_after_delete(store: SegmentedSQLTrackerStore, sender: str) -> None:
    """A turn loads the conversation, it is deleted, the turn then saves."""
    stale = run(store.retrieve(sender))
    assert stale is not None
    assert cleanup.delete_sender(store, sender) > 0
    stale.update(UserUttered("en nog iets", {"name": "faq", "confidence": 1.0}))
    stale.update(BotUttered("Daar vertel ik je graag over."))
    stale.update(ActionExecuted("action_listen"))
    run(store.save(stale))


def check_no_resurrection(store: SegmentedSQLTrackerStore, marker: str) -> None:
    stale_turn_after_delete(store, "anna")
    assert rows(store.engine, "anna") == 0
    assert rows_mentioning(store.engine, marker) == 0
    # A new conversation under the same id (what "Nieuw gesprek" gives) is stored.
    fresh = DialogueStateTracker.from_events(
        "anna",
        [ActionExecuted("action_listen"), UserUttered("hoi", {"name": "greet"})],
    )
    run(store.save(fresh))
    again = run(store.retrieve("anna"))
    assert again is not None
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hoi"]


def test_a_stale_turn_cannot_write_a_deleted_conversation_back_sqlite(
    tmp_path: Path, domain: Domain
) -> None:
    store = sqlite_store(tmp_path, domain)
    run(store.save(conversation("anna", "vuurtoren")))
    check_no_resurrection(store, "vuurtoren")


def test_a_stale_turn_cannot_write_a_deleted_conversation_back_postgres(
    postgres_url: str, domain: Domain
) -> None:
    store = SegmentedSQLTrackerStore(domain, host=postgres_url)
    try:
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM events WHERE sender_id = 'anna'")
        marker = f"kompas{uuid.uuid4().hex[:6]}"
        run(store.save(conversation("anna", marker)))
        check_no_resurrection(store, marker)
    finally:
        store.engine.dispose()


def test_a_save_in_progress_and_a_delete_never_interleave_postgres(
    postgres_url: str, domain: Domain
) -> None:
    """PostgreSQL: a delete waits for a save of the same person that has begun."""
    store = SegmentedSQLTrackerStore(domain, host=postgres_url)
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    run(store.save(conversation(sender, "vuurtoren")))
    done = threading.Event()
    try:
        with store.engine.connect() as connection, connection.begin():
            cleanup.serialise_writes(connection, [sender])  # a save has begun
            worker = threading.Thread(
                target=lambda: (cleanup.delete_sender(store, sender), done.set())
            )
            worker.start()
            time.sleep(1.0)
            assert not done.is_set()
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (:s, 'user', :t, '{}')"
                ),
                {"s": sender, "t": time.time()},
            )
        worker.join(10)
        assert done.is_set()
        assert rows(store.engine, sender) == 0  # the save's row went with the rest
    finally:
        store.engine.dispose()


# ------------------------------------------------------------- no remnants in files
def database_bytes(folder: Path) -> bytes:
    """Everything SQLite keeps on disk for the tracker store."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("tracker.db*")))


def test_no_deleted_text_in_any_sqlite_file(
    tmp_path: Path, domain: Domain, server_like_sqlite: None
) -> None:
    marker = f"zeppelin{uuid.uuid4().hex[:8]}"
    store = sqlite_store(tmp_path, domain)
    run(store.save(conversation("anna", marker, turns=20)))
    run(store.save(conversation("bram", "kapstok", turns=5)))
    assert (tmp_path / "tracker.db-wal").exists()  # WAL, as on the server
    assert marker.encode() in database_bytes(tmp_path)
    output = delete_turn(CollectingOutputChannel(), "anna")
    run(MessageGuard().finish(agent_of(store, domain), "anna", output))
    assert rows(store.engine, "anna") == 0
    found = database_bytes(tmp_path)
    assert marker.encode() not in found
    assert b"kapstok" in found  # the other conversation is still readable there


def test_tombstone_lasts_the_retention_period(
    tmp_path: Path, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HW_RETENTION_DAYS", "7")
    store = sqlite_store(tmp_path, domain)
    run(store.save(conversation("anna", "vuurtoren")))
    now = time.time()
    cleanup.delete_sender(store, "anna", now=now)
    with store.engine.connect() as connection:
        key, expires = connection.execute(
            sa.text("SELECT sender_key, expires_at FROM hw_deleted_conversations")
        ).one()
        assert cleanup.deleted_upto(connection, "anna") is not None
    assert key == cleanup.sender_key("anna") and "anna" not in key
    assert expires == pytest.approx(now + 7 * 86400)
    cleanup.expire(store, days=7, now=now + 8 * 86400)
    assert tombstones(store.engine) == 0
