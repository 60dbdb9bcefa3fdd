"""SQL tracker store that keeps a long conversation cheap: conversation segments.

Rasa loads, replays and featurizes *every* event of the current session on every
message, and sends them all to the action server. A conversation of 600 turns
therefore answers several times slower than a new one (``bench/long_conversation.py``).

When the current session holds more than ``segment_events`` events (setting
``HW_SEGMENT_EVENTS``, default 120) and a turn has ended normally, the store starts a
new *segment* before saving: a ``session_started`` event, the state of the
conversation as it was ``keep_turns`` turns ago (slots and active form), and a copy
of those last turns. Rasa reads only the latest session, so what it loads, replays
and sends stays bounded, while everything the policies and our guard look at (the
last few turns, the slots, the running questionnaire, the buttons just sent) is the
same as before. Copied events carry ``metadata: {"hw_segment_copy": true}`` and are
skipped by anything that counts what was said. Old segments stay in the database
until deletion or expiry, like every other event.

The store also keeps a deleted conversation deleted: a tracker that still holds an
event from before the conversation's deletion (a turn that loaded it before, on
this or another server) is not written back (``bot/cleanup.py``, "Tombstones").

Its own database settings, on its own engine (Rasa's engine creation is left alone):

* SQLite file: WAL journal and ``synchronous=NORMAL`` on every connection (a commit
  no longer waits for the disk; a power cut can lose the last turns, never corrupt
  the file), and one kept connection per thread (``SingletonThreadPool``) instead of
  a new one per session, whose closing would checkpoint the log every turn.
  PostgreSQL keeps Rasa's engine as it is.
* Migrations (``MIGRATIONS``): schema steps Rasa does not make, each run once at
  store start and recorded in ``hw_schema_migrations``; every step is idempotent,
  so a database that already has what a step makes is only recorded.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.pool import SingletonThreadPool

from bot import cleanup, settings

logger = logging.getLogger(__name__)

COPY_MARK = "hw_segment_copy"
DEFAULT_SEGMENT_EVENTS = settings.DEFAULT_SEGMENT_EVENTS
DEFAULT_KEEP_TURNS = settings.DEFAULT_SEGMENT_KEEP_TURNS
INDEXES = {
    "ix_events_sender_timestamp": "sender_id, timestamp",
    "ix_events_sender_type_timestamp": "sender_id, type_name, timestamp",
}
MIGRATIONS_TABLE = "hw_schema_migrations"


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Connect hook of the store's SQLite engine: WAL journal, NORMAL sync."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def is_sqlite_file(url: Any) -> bool:
    """A SQLite URL with a file behind it (not ``:memory:``)."""
    return url.get_backend_name() == "sqlite" and url.database not in (
        None,
        "",
        ":memory:",
    )


def create_segment_indexes(connection: Any) -> None:
    """Migration step: the indexes that keep reading the latest segment cheap.

    Rasa finds the latest segment with ``sender_id = ? and timestamp >= (latest
    session_started of that sender)``, and its table has an index on ``sender_id``
    only: without these every message would scan all of a person's rows.
    """
    for name, columns in INDEXES.items():
        connection.execute(
            sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON events ({columns})")
        )


MIGRATIONS = (("001_segment_indexes", create_segment_indexes),)


def migrate(engine: Any) -> List[str]:
    """Run the migrations this database has not had yet; return their names.

    Each step runs in its own transaction together with its record, so a step that
    fails is retried at the next start (logged: the steps are optimisations).
    """
    table = sa.Table(
        MIGRATIONS_TABLE,
        sa.MetaData(),
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("applied_at", sa.Float),
    )
    table.create(engine, checkfirst=True)
    with engine.connect() as connection:
        done = {row[0] for row in connection.execute(sa.select(table.c.name))}
    applied: List[str] = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        try:
            with engine.begin() as connection:
                step(connection)
                connection.execute(
                    table.insert().values(name=name, applied_at=time.time())
                )
        except Exception as error:  # noqa: BLE001 - retried at the next start
            logger.warning(
                "Migration %s failed; retried at the next start: %s", name, error
            )
            continue
        applied.append(name)
        logger.info("Tracker store migration %s applied.", name)
    return applied


def is_segment_copy(event: Dict[str, Any]) -> bool:
    """Whether a stored event (as dict) is a copy made when a segment started."""
    return bool((event.get("metadata") or {}).get(COPY_MARK))


def session_events(tracker: DialogueStateTracker) -> List[Event]:
    """Events since the latest ``session_started`` (all when there is none)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return events[index:]
    return events


def _window_start(events: List[Event], keep_turns: int) -> Optional[int]:
    """Index where the last ``keep_turns`` user turns start (at their action_listen)."""
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == keep_turns:
                previous = events[index - 1] if index > 0 else None
                if (
                    isinstance(previous, ActionExecuted)
                    and previous.action_name == ACTION_LISTEN_NAME
                ):
                    return index - 1
                return index
    return None


def _copy(event: Event, timestamp: float) -> Event:
    """The same event with a new timestamp and the copy mark."""
    data = event.as_dict()
    data["timestamp"] = timestamp
    data["metadata"] = {**(data.get("metadata") or {}), COPY_MARK: True}
    copied = Event.from_parameters(data)
    assert copied is not None
    return copied


def new_segment(
    tracker: DialogueStateTracker, slots: List[Any], keep_turns: int, limit: int
) -> List[Event]:
    """The events that start a new segment for ``tracker`` (empty if not possible).

    The window is taken from ``applied_events()`` -- what Rasa's policies see, with
    the happy-path turns of a running form already folded away -- so the states the
    policies build from the new segment end exactly like the old ones. If that
    window is itself long (a form that has been running for very many turns), the
    last ``keep_turns`` turns of the raw events are used instead.
    """
    applied = tracker.applied_events()
    start = _window_start(applied, keep_turns)
    source = applied
    if start is None or len(applied) - start > limit:
        source = session_events(tracker)
        start = _window_start(source, keep_turns)
    if start is None or start <= 1:
        return []
    before = DialogueStateTracker.from_events(
        tracker.sender_id, source[:start], slots=slots
    )
    now = time.time()
    mark = {COPY_MARK: True}
    segment: List[Event] = [SessionStarted(timestamp=now, metadata=dict(mark))]
    for slot in before.slots.values():
        if slot.value != slot.initial_value:
            segment.append(
                SlotSet(slot.name, slot.value, timestamp=now, metadata=dict(mark))
            )
    if before.active_loop_name:
        segment.append(
            ActiveLoop(before.active_loop_name, timestamp=now, metadata=dict(mark))
        )
    segment.extend(_copy(event, now) for event in source[start:])
    return segment


class SegmentedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that starts a new segment when a session grows long."""

    def __init__(
        self,
        *args: Any,
        segment_events: Optional[int] = None,
        keep_turns: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        """Like ``SQLTrackerStore``; sizes from arguments or ``HW_SEGMENT_*``."""
        # Before the first connection: SQLite overwrites what it frees (cleanup.py).
        cleanup.install_secure_delete()
        super().__init__(*args, **kwargs)
        self.use_own_sqlite_engine()
        self.segment_events = int(
            segment_events
            or os.environ.get("HW_SEGMENT_EVENTS")
            or DEFAULT_SEGMENT_EVENTS
        )
        self.keep_turns = int(
            keep_turns or os.environ.get("HW_SEGMENT_KEEP_TURNS") or DEFAULT_KEEP_TURNS
        )
        migrate(self.engine)
        cleanup.ensure_deletions_table(self.engine)

    def use_own_sqlite_engine(self) -> None:
        """A SQLite file gets an engine of its own: kept connections, WAL pragmas.

        Rasa made ``self.engine`` (a new connection per session) and the tables;
        it is replaced before the first turn. Other databases keep Rasa's engine.
        """
        url = self.engine.url
        if not is_sqlite_file(url):
            return
        self.engine.dispose()
        engine = sa.create_engine(url, poolclass=SingletonThreadPool)
        sa.event.listen(engine, "connect", sqlite_pragmas)
        self.engine: sa.engine.Engine = engine
        self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)

    def needs_segment(self, tracker: DialogueStateTracker) -> bool:
        """Long session, and the last turn ended by listening again."""
        if self.segment_events <= 0 or not tracker.events:
            return False
        last = tracker.events[-1]
        if not (
            isinstance(last, ActionExecuted) and last.action_name == ACTION_LISTEN_NAME
        ):
            return False
        return len(session_events(tracker)) > self.segment_events

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Start a new segment when needed, then save as usual."""
        if self.needs_segment(tracker) and self.domain is not None:
            segment = new_segment(
                tracker,
                list(self.domain.slots),
                self.keep_turns,
                self.segment_events // 2,
            )
            for event in segment:
                tracker.update(event)
            if segment:
                logger.debug(
                    "New conversation segment (%d events carried over).", len(segment)
                )
        await self.stream_events(tracker)
        if not self.write_new_events(tracker):
            logger.warning(
                "A turn of a conversation deleted meanwhile was not saved: it still "
                "held events from before the deletion."
            )

    def write_new_events(self, tracker: DialogueStateTracker) -> bool:
        """Store the events not stored yet, unless the conversation was deleted.

        Rasa's ``SQLTrackerStore.save`` plus the tombstone check, in one transaction
        that no deletion of this person can interleave with. False when refused.
        """
        with self.session_scope() as session:
            connection = session.connection()
            cleanup.serialise_writes(connection, [tracker.sender_id])
            upto = cleanup.deleted_upto(connection, tracker.sender_id)
            if upto is not None and any(
                (event.timestamp or 0.0) <= upto for event in tracker.events
            ):
                session.rollback()
                return False
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                intent = (
                    data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                )
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        return True
