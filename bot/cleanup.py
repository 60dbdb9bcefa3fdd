"""Delete conversations from the tracker store: on request and after the retention time.

* ``delete_sender(tracker_store, sender_id)`` removes every stored event of one person
  in one transaction and leaves a *tombstone* (see below). It raises when the
  database fails; then nothing was deleted. The channel guard calls it under the
  conversation's lock, after an ``action_delete_data`` turn (``bot/channels/guard.py``).
* ``delete_expired(engine_or_store, days)`` removes every conversation whose newest
  event is older than ``days`` days (default ``HW_RETENTION_DAYS``), in batches of
  ``HW_CLEANUP_BATCH`` conversations, one transaction each: a failure rolls back one
  batch, and no write lock is held for long. Every Rasa server runs it daily
  (``bot/retention.py``); ``python -m bot.cleanup --days 30`` runs it once.

Rasa 3.6 has no delete endpoint and a reset only appends events, so rows are deleted
directly. Both functions accept Rasa's ``SQLTrackerStore`` (also wrapped in
``FailSafeTrackerStore`` / ``AwaitableTrackerStore``) and ``InMemoryTrackerStore``.

**Tombstones.** A turn that loaded a conversation before it was deleted (a lock
ticket that expired on a slow turn, another server) would otherwise write the whole
conversation back: Rasa's SQL store writes every event beyond the number it finds
stored, and after a deletion it finds none. So a deletion records, in the same
transaction, the sender's key (a SHA-256 of the id, not the id) and the timestamp of
the newest deleted event in ``hw_deleted_conversations``; the tracker store refuses
to save a tracker that still holds an event from up to that moment
(``bot/tracker_store.py``). A new conversation under the same id (after "Nieuw
gesprek" or a deletion: only events recorded after it) is stored as usual. The
tombstone expires after the retention period. Writes and deletions of one person are
serialised: a PostgreSQL advisory lock per person, SQLite's write lock
(``BEGIN IMMEDIATE``).

**No remnants in SQLite.** Every SQLite connection of the tracker store runs with
``PRAGMA secure_delete=ON`` from its first write (``install_secure_delete``): space
SQLite frees or leaves behind when it moves rows between pages is overwritten with
zeros. Turning it on only for the delete is not enough: copies that page splits left
behind while the conversation was *written* would stay in the file. After a delete
the write-ahead log is checkpointed and emptied (``wal_checkpoint(TRUNCATE)``), so
the deleted text is neither in the ``.db`` file nor in the ``-wal`` file.
PostgreSQL: see SECURITY.md (vacuum, backups).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Union,
)

import sqlalchemy as sa

from bot import settings

if TYPE_CHECKING:  # pragma: no cover
    from rasa.core.tracker_store import TrackerStore

logger = logging.getLogger(__name__)

DAY = 86400.0
EVENTS_TABLE = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("timestamp", sa.Float),
)
METADATA = sa.MetaData()
DELETIONS_TABLE = sa.Table(
    "hw_deleted_conversations",
    METADATA,
    sa.Column("sender_key", sa.String(64), primary_key=True),
    sa.Column("deleted_upto", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
_READY = "_hw_deletions_table_ready"


def retention_days() -> int:
    """Retention time in days from ``HW_RETENTION_DAYS`` (default 30, minimum 1)."""
    return settings.retention_days()


def cleanup_batch() -> int:
    """Conversations per clean-up transaction, from ``HW_CLEANUP_BATCH`` (min 1)."""
    return settings.cleanup_batch()


@dataclass
class Expired:
    """What one clean-up run deleted."""

    conversations: int = 0
    rows: int = 0
    batches: int = 0


# ----------------------------------------------------------------- the store's parts
def unwrap_stores(store: Any) -> Iterator[Any]:
    """Yield the store and every store it wraps (FailSafe primary and fallback)."""
    seen: List[int] = []
    pending = [store]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.append(id(current))
        yield current
        pending.append(getattr(current, "_tracker_store", None))
        pending.append(getattr(current, "_fallback_tracker_store", None))


def _engine_of(store: Any) -> Optional[sa.engine.Engine]:
    """The SQLAlchemy engine of a SQL tracker store, else None."""
    engine = getattr(store, "engine", None)
    return engine if isinstance(engine, sa.engine.Engine) else None


def _memory_of(store: Any) -> Optional[dict]:
    """The dict of serialised trackers of an in-memory tracker store, else None."""
    memory = getattr(store, "store", None)
    return memory if isinstance(memory, dict) else None


def _event_count(serialised: Any) -> int:
    """Number of events in an in-memory store's serialised tracker (at least 1)."""
    try:
        return max(1, len(json.loads(serialised).get("events") or []))
    except (TypeError, ValueError, AttributeError):
        return 1


def _newest_timestamp(serialised: Any) -> float:
    """Timestamp of the newest event of a serialised tracker (0 when unknown)."""
    try:
        events = json.loads(serialised).get("events") or []
    except (TypeError, ValueError, AttributeError):
        return 0.0
    stamps = [e.get("timestamp") or 0.0 for e in events if isinstance(e, dict)]
    return float(max(stamps, default=0.0))


# ------------------------------------------------------------------------ tombstones
def sender_key(sender_id: str) -> str:
    """What a tombstone stores instead of the sender id: its SHA-256 (hex)."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()


def _advisory_key(sender_id: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for one conversation."""
    digest = hashlib.sha256(b"hechtwijzer-conversation:" + sender_id.encode("utf-8"))
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def ensure_deletions_table(engine: sa.engine.Engine) -> None:
    """Create the tombstone table once per engine (no-op when it exists)."""
    if getattr(engine, _READY, False):
        return
    METADATA.create_all(engine, checkfirst=True)
    setattr(engine, _READY, True)


def serialise_writes(
    connection: sa.engine.Connection, sender_ids: Iterable[str]
) -> None:
    """Within a transaction: wait until no other transaction writes these people.

    PostgreSQL: one advisory transaction lock per person, taken in a fixed order
    (two clean-ups never deadlock). SQLite: ``BEGIN IMMEDIATE`` takes the database's
    write lock before anything is read (must be the transaction's first statement).
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        for key in sorted({_advisory_key(s) for s in sender_ids}):
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key}
            )
    elif dialect == "sqlite" and not connection.connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def deleted_upto(
    connection: sa.engine.Connection, sender_id: str, now: Optional[float] = None
) -> Optional[float]:
    """Timestamp up to which ``sender_id``'s events were deleted (None: no tombstone)."""
    now = time.time() if now is None else now
    value = connection.execute(
        sa.select(DELETIONS_TABLE.c.deleted_upto).where(
            DELETIONS_TABLE.c.sender_key == sender_key(sender_id),
            DELETIONS_TABLE.c.expires_at > now,
        )
    ).scalar()
    return None if value is None else float(value)


def _bury(
    connection: sa.engine.Connection, newest: Dict[str, float], now: float
) -> None:
    """Write (or renew) the tombstones of deleted conversations."""
    if not newest:
        return
    keys = {sender_key(s): upto for s, upto in newest.items()}
    old = dict(
        connection.execute(
            sa.select(
                DELETIONS_TABLE.c.sender_key, DELETIONS_TABLE.c.deleted_upto
            ).where(DELETIONS_TABLE.c.sender_key.in_(list(keys)))
        ).all()
    )
    if old:
        connection.execute(
            sa.delete(DELETIONS_TABLE).where(
                DELETIONS_TABLE.c.sender_key.in_(list(old))
            )
        )
    expires = now + retention_days() * DAY
    connection.execute(
        sa.insert(DELETIONS_TABLE),
        [
            {
                "sender_key": key,
                "deleted_upto": max(upto, float(old.get(key) or 0.0)),
                "expires_at": expires,
            }
            for key, upto in keys.items()
        ],
    )


# ------------------------------------------------------------------------ deleting
def _secure_delete_on(dbapi_connection: Any, _record: Any) -> None:
    """Connect hook: this SQLite connection overwrites whatever it frees."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()


def install_secure_delete() -> None:
    """``secure_delete`` on every SQLite connection opened from now on (idempotent).

    Called before a tracker store or clean-up engine connects for the first time.
    Many SQLite builds have it off (Debian's has it on); PostgreSQL is untouched.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _secure_delete_on):
        event.listen(Engine, "connect", _secure_delete_on)


@contextmanager
def write_transaction(engine: sa.engine.Engine) -> Iterator[sa.engine.Connection]:
    """A transaction for deleting: SQLite overwrites what it frees (secure_delete)."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
        with connection.begin():
            yield connection


def scrub(engine: sa.engine.Engine) -> bool:
    """SQLite: move the write-ahead log into the file and empty it (True when done).

    After a delete the old page images still sit in the ``-wal`` file until a
    checkpoint; ``TRUNCATE`` copies them back (already overwritten) and truncates the
    log to zero bytes. Other dialects: nothing to do.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    done = row is None or int(row[0]) == 0
    if not done:
        logger.warning(
            "SQLite checkpoint after a delete was blocked by a reader; deleted text "
            "stays in the -wal file until the next checkpoint."
        )
    return done


def _delete_in_engine(engine: sa.engine.Engine, sender_id: str, now: float) -> int:
    """Delete one conversation and bury it, in one transaction; return rows."""
    ensure_deletions_table(engine)
    events = EVENTS_TABLE
    with write_transaction(engine) as connection:
        serialise_writes(connection, [sender_id])
        newest = connection.execute(
            sa.select(sa.func.max(events.c.timestamp)).where(
                events.c.sender_id == sender_id
            )
        ).scalar()
        _bury(connection, {sender_id: now if newest is None else float(newest)}, now)
        result = connection.execute(
            sa.delete(events).where(events.c.sender_id == sender_id)
        )
        deleted = max(0, result.rowcount or 0)
    scrub(engine)
    return deleted


def delete_sender(
    tracker_store: TrackerStore, sender_id: str, now: Optional[float] = None
) -> int:
    """Delete every stored event of ``sender_id``; return how many were removed.

    The database part is one transaction (rows and tombstone); when it fails the
    error is raised and nothing was deleted, also not from the in-memory fallback.
    """
    now = time.time() if now is None else now
    stores = list(unwrap_stores(tracker_store))
    deleted = 0
    for store in stores:
        engine = _engine_of(store)
        if engine is not None:
            deleted += _delete_in_engine(engine, sender_id, now)
    for store in stores:
        memory = _memory_of(store)
        if memory is not None and sender_id in memory:
            deleted += _event_count(memory.pop(sender_id))
    return deleted


def _stale_senders(engine: sa.engine.Engine, cutoff: float) -> List[str]:
    """Senders whose newest event is older than ``cutoff`` (read without a lock)."""
    events = EVENTS_TABLE
    stale = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )
    with engine.connect() as connection:
        return sorted(str(row[0]) for row in connection.execute(stale))


def _expire_batch(
    engine: sa.engine.Engine, senders: Sequence[str], cutoff: float, now: float
) -> tuple[int, int]:
    """One transaction: delete the senders that are still stale; (conversations, rows)."""
    events = EVENTS_TABLE
    with write_transaction(engine) as connection:
        serialise_writes(connection, senders)
        # Looked at again under the lock: someone may have come back meanwhile.
        newest = {
            str(sender): float(stamp)
            for sender, stamp in connection.execute(
                sa.select(events.c.sender_id, sa.func.max(events.c.timestamp))
                .where(events.c.sender_id.in_(list(senders)))
                .group_by(events.c.sender_id)
            )
            if stamp is not None and stamp < cutoff
        }
        if not newest:
            return 0, 0
        _bury(connection, newest, now)
        result = connection.execute(
            sa.delete(events).where(events.c.sender_id.in_(list(newest)))
        )
        return len(newest), max(0, result.rowcount or 0)


def expire_in_engine(
    engine: sa.engine.Engine, cutoff: float, now: float, batch: int
) -> Expired:
    """Delete conversations older than ``cutoff`` in batches; drop old tombstones."""
    ensure_deletions_table(engine)
    done = Expired()
    senders = _stale_senders(engine, cutoff)
    for start in range(0, len(senders), batch):
        conversations, rows = _expire_batch(
            engine, senders[start : start + batch], cutoff, now
        )
        done.conversations += conversations
        done.rows += rows
        done.batches += 1
    with write_transaction(engine) as connection:
        connection.execute(
            sa.delete(DELETIONS_TABLE).where(DELETIONS_TABLE.c.expires_at <= now)
        )
    scrub(engine)
    return done


def expire(
    engine_or_store: Union[sa.engine.Engine, TrackerStore, str],
    days: Optional[int] = None,
    now: Optional[float] = None,
    batch: Optional[int] = None,
) -> Expired:
    """Delete conversations whose newest event is older than ``days`` days.

    Raises on a database failure: the batches before it stay deleted.
    """
    days = retention_days() if days is None else days
    if days < 0:
        raise ValueError("days must be zero or more")
    batch = cleanup_batch() if batch is None else max(1, batch)
    now = time.time() if now is None else now
    cutoff = now - days * DAY
    if isinstance(engine_or_store, str):
        install_secure_delete()
        engine = sa.create_engine(engine_or_store)
        try:
            return expire_in_engine(engine, cutoff, now, batch)
        finally:
            engine.dispose()
    if isinstance(engine_or_store, sa.engine.Engine):
        return expire_in_engine(engine_or_store, cutoff, now, batch)
    done = Expired()
    for store in unwrap_stores(engine_or_store):
        engine = _engine_of(store)
        if engine is not None:
            part = expire_in_engine(engine, cutoff, now, batch)
            done.conversations += part.conversations
            done.rows += part.rows
            done.batches += part.batches
            continue
        memory = _memory_of(store)
        if memory is not None:
            for sender_id in [
                s for s, t in memory.items() if _newest_timestamp(t) < cutoff
            ]:
                done.rows += _event_count(memory.pop(sender_id))
                done.conversations += 1
    return done


def delete_expired(
    engine_or_store: Union[sa.engine.Engine, TrackerStore, str],
    days: Optional[int] = None,
    now: Optional[float] = None,
    batch: Optional[int] = None,
) -> int:
    """Like :func:`expire`; return the number of event rows deleted."""
    return expire(engine_or_store, days, now, batch).rows


def database_url(endpoints_path: str) -> Optional[str]:
    """SQLAlchemy URL of the SQL tracker store in ``endpoints.yml`` (None if not SQL)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(endpoints_path, "tracker_store")
    sql_types = {"sql", "bot.tracker_store.segmentedsqltrackerstore"}
    if config is None or (config.type or "").lower() not in sql_types:
        return None
    kwargs = dict(config.kwargs)
    url = SQLTrackerStore.get_db_url(
        dialect=kwargs.get("dialect") or "sqlite",
        host=config.url,
        port=kwargs.get("port"),
        db=kwargs.get("db") or "rasa.db",
        username=kwargs.get("username"),
        password=kwargs.get("password"),
        query=kwargs.get("query"),
    )
    return (
        str(url) if isinstance(url, str) else url.render_as_string(hide_password=False)
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: delete conversations older than ``--days`` days, in batches."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--days", type=int, default=None, help="retention in days")
    parser.add_argument("--batch", type=int, default=None, help="conversations a batch")
    parser.add_argument("--endpoints", default="endpoints.yml", help="endpoints file")
    parser.add_argument("--db-url", default=None, help="SQLAlchemy URL (overrides)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    url = args.db_url or database_url(args.endpoints)
    if not url:
        logger.error(
            "No SQL tracker store configured in %s; nothing to clean.", args.endpoints
        )
        return 1
    days = retention_days() if args.days is None else args.days
    try:
        done = expire(url, days, batch=args.batch)
    except Exception as error:  # noqa: BLE001 - reported, exit code 1
        from bot.health import describe_error

        logger.error("Clean-up FAILED: %s", describe_error(error))
        return 1
    print(
        f"deleted {done.rows} event rows of {done.conversations} conversations "
        f"older than {days} days ({done.batches} batches)"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
