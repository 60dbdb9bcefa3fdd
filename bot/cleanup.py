"""Delete conversations from the tracker store: on request and after the retention time.

* ``delete_sender(tracker_store, sender_id)`` removes every stored event of one person
  (used by the channel guard after an ``action_delete_data`` turn was saved).
* ``delete_expired(engine_or_store, days)`` removes every conversation whose newest
  event is older than ``days`` days (default ``HW_RETENTION_DAYS``, else 30).
* ``python -m bot.cleanup --days 30`` runs ``delete_expired`` on the tracker store
  configured in ``endpoints.yml``.

Rasa 3.6 has no delete endpoint and a reset only appends events, so rows are deleted
directly. Both functions accept Rasa's ``SQLTrackerStore`` (also wrapped in
``FailSafeTrackerStore`` / ``AwaitableTrackerStore``) and ``InMemoryTrackerStore``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence, Union

import sqlalchemy as sa

if TYPE_CHECKING:  # pragma: no cover
    from rasa.core.tracker_store import TrackerStore

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30
EVENTS_TABLE = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("timestamp", sa.Float),
)


def retention_days() -> int:
    """Retention time in days from ``HW_RETENTION_DAYS`` (default 30, minimum 1)."""
    try:
        return max(1, int(os.environ.get("HW_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))
    except ValueError:
        return DEFAULT_RETENTION_DAYS


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


def delete_sender(tracker_store: TrackerStore, sender_id: str) -> int:
    """Delete every stored event of ``sender_id``; return how many rows were removed."""
    deleted = 0
    for store in unwrap_stores(tracker_store):
        engine = _engine_of(store)
        if engine is not None:
            with engine.begin() as connection:
                result = connection.execute(
                    sa.delete(EVENTS_TABLE).where(EVENTS_TABLE.c.sender_id == sender_id)
                )
                deleted += max(0, result.rowcount or 0)
            continue
        memory = _memory_of(store)
        if memory is not None and sender_id in memory:
            deleted += _event_count(memory.pop(sender_id))
    return deleted


def _expired_in_engine(engine: sa.engine.Engine, cutoff: float) -> int:
    """Delete the events of senders whose newest event is older than ``cutoff``."""
    stale = (
        sa.select(EVENTS_TABLE.c.sender_id)
        .group_by(EVENTS_TABLE.c.sender_id)
        .having(sa.func.max(EVENTS_TABLE.c.timestamp) < cutoff)
    )
    with engine.begin() as connection:
        senders = [row[0] for row in connection.execute(stale)]
        deleted = 0
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            result = connection.execute(
                sa.delete(EVENTS_TABLE).where(EVENTS_TABLE.c.sender_id.in_(chunk))
            )
            deleted += max(0, result.rowcount or 0)
    return deleted


def delete_expired(
    engine_or_store: Union[sa.engine.Engine, TrackerStore, str],
    days: Optional[int] = None,
    now: Optional[float] = None,
) -> int:
    """Delete conversations whose newest event is older than ``days``; return rows."""
    days = retention_days() if days is None else days
    if days < 0:
        raise ValueError("days must be zero or more")
    cutoff = (time.time() if now is None else now) - days * 86400
    if isinstance(engine_or_store, str):
        engine = sa.create_engine(engine_or_store)
        try:
            return _expired_in_engine(engine, cutoff)
        finally:
            engine.dispose()
    if isinstance(engine_or_store, sa.engine.Engine):
        return _expired_in_engine(engine_or_store, cutoff)
    deleted = 0
    for store in unwrap_stores(engine_or_store):
        engine = _engine_of(store)
        if engine is not None:
            deleted += _expired_in_engine(engine, cutoff)
            continue
        memory = _memory_of(store)
        if memory is not None:
            for sender_id in [
                s for s, t in memory.items() if _newest_timestamp(t) < cutoff
            ]:
                deleted += _event_count(memory.pop(sender_id))
    return deleted


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
    """Command line: delete conversations older than ``--days`` days."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--days", type=int, default=None, help="retention in days")
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
    deleted = delete_expired(url, days)
    print(f"deleted {deleted} event rows of conversations older than {days} days")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
