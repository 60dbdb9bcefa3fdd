"""Conversation segments: a long conversation loads little, and nothing that matters changes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import settings
from bot import tracker_store as tracker_store_module
from bot.tracker_store import COPY_MARK, SegmentedSQLTrackerStore, is_segment_copy

ROOT = Path(__file__).resolve().parents[2]
SENDER = "lang-gesprek"


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The real Hechtwijzer domain."""
    return Domain.load(str(ROOT / "domain"))


def turn(number: int) -> List[Event]:
    """One questionnaire turn: an answer, the form asks the next question with buttons."""
    payloads = [
        {"title": str(v), "payload": f'/answer_question{{"v":{v}}}'}
        for v in range(1, 6)
    ]
    return [
        UserUttered(
            f"antwoord {number}",
            {"name": "answer_question", "confidence": 0.9},
        ),
        ActionExecuted("questionnaire_form"),
        SlotSet(f"q{(number % 12) + 1:02d}", float(number % 5 + 1)),
        BotUttered(f"Vraag {number}", {"buttons": payloads}),
        ActionExecuted("action_listen"),
    ]


def opening() -> List[Event]:
    """Session start, the person starts the questions, the form becomes active."""
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(
            "ik wil de vragen doen", {"name": "start_questionnaire", "confidence": 1.0}
        ),
        ActionExecuted("questionnaire_form"),
        ActiveLoop("questionnaire_form"),
        SlotSet("relationship_context", "partner"),
        BotUttered("Vraag 1", {"buttons": [{"title": "x", "payload": "/x"}]}),
        ActionExecuted("action_listen"),
    ]


def run_conversation(
    store: SegmentedSQLTrackerStore, turns: int
) -> DialogueStateTracker:
    """Save turn after turn like Rasa does (retrieve, add a turn, save)."""

    async def go() -> DialogueStateTracker:
        tracker = DialogueStateTracker.from_events(
            SENDER, opening(), slots=store.domain.slots
        )
        await store.save(tracker)
        for number in range(turns):
            tracker = await store.retrieve(SENDER)
            assert tracker is not None
            for event in turn(number):
                tracker.update(event)
            await store.save(tracker)
        reference = DialogueStateTracker.from_events(
            SENDER,
            [e for t in [opening(), *[turn(n) for n in range(turns)]] for e in t],
            slots=store.domain.slots,
        )
        return reference

    return asyncio.run(go())


def make_store(
    tmp_path: Path, domain: Domain, segment_events: int
) -> SegmentedSQLTrackerStore:
    """A segmented store on a SQLite file."""
    return SegmentedSQLTrackerStore(
        domain,
        dialect="sqlite",
        db=str(tmp_path / "t.db"),
        segment_events=segment_events,
        keep_turns=4,
    )


def test_long_conversation_loads_a_bounded_number_of_events(
    tmp_path: Path, domain: Domain
) -> None:
    store = make_store(tmp_path, domain, segment_events=60)
    run_conversation(store, 200)  # 1,009 events in all
    tracker = asyncio.run(store.retrieve(SENDER))
    assert tracker is not None
    assert len(tracker.events) <= 60 + 5 + 4 * 5 + len(domain.slots) + 3
    with sqlite3.connect(tmp_path / "t.db") as db:
        stored = db.execute("select count(*) from events").fetchone()[0]
    assert stored > 1000  # nothing deleted: old segments stay until deletion/expiry


def test_state_after_segments_equals_the_whole_conversation(
    tmp_path: Path, domain: Domain
) -> None:
    store = make_store(tmp_path, domain, segment_events=60)
    reference = run_conversation(store, 137)
    tracker = asyncio.run(store.retrieve(SENDER))
    assert tracker is not None
    assert tracker.current_slot_values() == reference.current_slot_values()
    assert (
        tracker.active_loop_name == reference.active_loop_name == "questionnaire_form"
    )
    assert tracker.latest_message.text == reference.latest_message.text
    # When the next message comes, the state the policies predict from is the same
    # (whole replies with and without segments: tests/test_long_conversation.py).
    for each in (tracker, reference):
        each.update(
            UserUttered("nog een", {"name": "answer_question", "confidence": 1.0})
        )
    assert tracker.past_states(domain)[-1] == reference.past_states(domain)[-1]


def test_buttons_just_sent_are_still_in_the_loaded_tracker(
    tmp_path: Path, domain: Domain
) -> None:
    store = make_store(tmp_path, domain, segment_events=40)
    run_conversation(store, 90)
    tracker = asyncio.run(store.retrieve(SENDER))
    assert tracker is not None
    bots = [e for e in tracker.events if isinstance(e, BotUttered)]
    assert bots[-1].text == "Vraag 89"
    assert bots[-1].data["buttons"][0]["payload"].startswith("/answer_question")


def test_copies_are_marked_and_originals_are_not(
    tmp_path: Path, domain: Domain
) -> None:
    store = make_store(tmp_path, domain, segment_events=40)
    run_conversation(store, 60)
    with sqlite3.connect(tmp_path / "t.db") as db:
        rows = [
            json.loads(r[0]) for r in db.execute("select data from events order by id")
        ]
    originals = [r for r in rows if r["event"] == "user" and not is_segment_copy(r)]
    copies = [r for r in rows if r["event"] == "user" and is_segment_copy(r)]
    assert [r["text"] for r in originals] == ["ik wil de vragen doen"] + [
        f"antwoord {n}" for n in range(60)
    ]
    assert copies and all(r["metadata"][COPY_MARK] is True for r in copies)


def test_short_conversation_is_left_alone(tmp_path: Path, domain: Domain) -> None:
    store = make_store(tmp_path, domain, segment_events=300)
    run_conversation(store, 20)
    with sqlite3.connect(tmp_path / "t.db") as db:
        rows = [json.loads(r[0]) for r in db.execute("select data from events")]
    assert not any(is_segment_copy(r) for r in rows)
    assert sum(r["event"] == "session_started" for r in rows) == 1


def test_no_segment_in_the_middle_of_a_turn(tmp_path: Path, domain: Domain) -> None:
    store = make_store(tmp_path, domain, segment_events=10)
    events = opening() + turn(1) + turn(2) + turn(3)
    tracker = DialogueStateTracker.from_events(SENDER, events[:-1], slots=domain.slots)
    assert not store.needs_segment(tracker)  # last event is not action_listen
    tracker.update(events[-1])
    assert store.needs_segment(tracker)


def test_size_comes_from_the_environment(
    tmp_path: Path, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HW_SEGMENT_EVENTS", "123")
    store = SegmentedSQLTrackerStore(
        domain, dialect="sqlite", db=str(tmp_path / "e.db")
    )
    assert store.segment_events == 123


def test_indexes_for_reading_the_latest_segment(tmp_path: Path, domain: Domain) -> None:
    """Reading a segment must not scan a person's whole history (created once)."""
    make_store(tmp_path, domain, segment_events=60)
    make_store(tmp_path, domain, segment_events=60)  # a second server: no error
    with sqlite3.connect(tmp_path / "t.db") as db:
        names = {row[1] for row in db.execute("PRAGMA index_list(events)")}
        plan = " ".join(
            str(row[-1])
            for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM events WHERE sender_id = 'x' "
                "AND timestamp >= 5 ORDER BY id"
            )
        )
    assert {"ix_events_sender_timestamp", "ix_events_sender_type_timestamp"} <= names
    assert "ix_events_sender_timestamp" in plan


def index_names(path: Path) -> set:
    """Names of the indexes on ``events`` in the SQLite file at ``path``."""
    with sqlite3.connect(path) as db:
        return {row[1] for row in db.execute("PRAGMA index_list(events)")}


def test_migration_on_a_fresh_database_runs_once(
    tmp_path: Path, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new database gets the indexes and a record; the next start runs nothing."""
    store = make_store(tmp_path, domain, segment_events=60)
    assert set(tracker_store_module.INDEXES) <= index_names(tmp_path / "t.db")
    with sqlite3.connect(tmp_path / "t.db") as db:
        recorded = [
            row[0] for row in db.execute("SELECT name FROM hw_schema_migrations")
        ]
    assert recorded == ["001_segment_indexes"]
    store.engine.dispose()

    def must_not_run(_connection: object) -> None:
        raise AssertionError("a recorded migration ran again")

    monkeypatch.setattr(
        tracker_store_module, "MIGRATIONS", (("001_segment_indexes", must_not_run),)
    )
    again = make_store(tmp_path, domain, segment_events=60)  # a restart
    assert tracker_store_module.migrate(again.engine) == []


def test_migration_on_an_existing_database_keeps_its_events(
    tmp_path: Path, domain: Domain
) -> None:
    """A database made by Rasa's own store (no indexes, no record) is migrated in place."""
    from rasa.core.tracker_store import SQLTrackerStore

    path = tmp_path / "t.db"
    plain = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events(SENDER, opening(), slots=domain.slots)
    asyncio.run(plain.save(tracker))
    before = asyncio.run(plain.retrieve(SENDER))
    plain.engine.dispose()
    assert not set(tracker_store_module.INDEXES) & index_names(path)

    store = make_store(tmp_path, domain, segment_events=60)
    assert set(tracker_store_module.INDEXES) <= index_names(path)
    loaded = asyncio.run(store.retrieve(SENDER))
    assert loaded is not None and before is not None
    assert list(loaded.events) == list(before.events)
    # An older server made the indexes without a record: recorded, nothing fails.
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM hw_schema_migrations")
    assert tracker_store_module.migrate(store.engine) == ["001_segment_indexes"]


def test_sqlite_settings_live_on_the_stores_own_engine(
    tmp_path: Path, domain: Domain
) -> None:
    """WAL, NORMAL sync and a kept connection for this store; Rasa's own stores unchanged."""
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.pool import SingletonThreadPool

    store = make_store(tmp_path, domain, segment_events=60)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    assert isinstance(store.engine.pool, SingletonThreadPool)

    other = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    with other.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    assert not isinstance(other.engine.pool, SingletonThreadPool)


# ------------------------------------------- every test story, cut very often


def _now(event: Event) -> Event:
    """The event as if it happened now (the store reads by timestamp, like a server)."""
    fresh = Event.from_parameters({**event.as_dict(), "timestamp": time.time()})
    assert fresh is not None
    return fresh


def _story_steps(domain: Domain) -> List[Any]:
    """Every test story under tests/stories, as Rasa reads them."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import (
        YAMLStoryReader,
    )

    steps: List[Any] = []
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        steps.extend(YAMLStoryReader(domain).read_from_file(str(path)))
    return steps


@pytest.mark.slow
@pytest.mark.parametrize("keep_turns", [settings.DEFAULT_SEGMENT_KEEP_TURNS, 3])
def test_every_test_story_predicts_the_same_actions_when_cut_at_a_tiny_size(
    tmp_path: Path, trained_model: Path, keep_turns: int
) -> None:
    """Every test story: the same actions whether whole or cut every few events.

    The trained policies predict each action of each story twice. Each story runs as a server runs it: load the latest segment, add the turn, save
    (the store starts a new segment whenever the session passed 8 events); the
    reference tracker holds the whole story.
    """
    from rasa.core.agent import Agent
    from rasa.shared.core.constants import ACTION_SESSION_START_NAME

    agent = Agent.load(str(trained_model))
    processor, story_domain = agent.processor, agent.domain
    assert processor is not None and story_domain is not None
    names = story_domain.action_names_or_texts

    def predict(tracker: DialogueStateTracker) -> str:
        prediction = processor._predict_next_with_tracker(tracker.copy())
        return str(names[prediction.max_confidence_index])

    steps = _story_steps(story_domain)
    assert len(steps) >= 20
    compared, after_cut, segments = 0, 0, 0
    for number, step in enumerate(steps):
        store = SegmentedSQLTrackerStore(
            story_domain,
            dialect="sqlite",
            db=str(tmp_path / f"s{number}.db"),
            segment_events=8,
            keep_turns=keep_turns,
        )
        sender = f"story-{number}"
        opening = [
            ActionExecuted(ACTION_SESSION_START_NAME),
            SessionStarted(),
            ActionExecuted("action_listen"),
        ]
        whole = DialogueStateTracker.from_events(
            sender, opening, slots=story_domain.slots
        )
        asyncio.run(store.save(whole.copy()))
        cut = asyncio.run(store.retrieve(sender))
        assert cut is not None
        events = step.explicit_events(story_domain)
        if events and isinstance(events[0], ActionExecuted):
            events = events[1:]  # the opening already listens
        for event in events:
            if isinstance(event, ActionExecuted):
                expected = predict(whole)
                assert predict(cut) == expected, (step.block_name, event)
                compared += 1
                after_cut += any(is_segment_copy(e.as_dict()) for e in cut.events)
            event = _now(event)
            whole.update(event)
            cut.update(event)
            if isinstance(event, ActionExecuted) and event.action_name == (
                "action_listen"
            ):
                asyncio.run(store.save(cut))
                cut = asyncio.run(store.retrieve(sender))
                assert cut is not None
        with sqlite3.connect(tmp_path / f"s{number}.db") as db:
            segments += db.execute(
                "SELECT COUNT(*) FROM events WHERE type_name = 'session_started' "
                "AND data LIKE ?",
                (f"%{COPY_MARK}%",),
            ).fetchone()[0]
        store.engine.dispose()
    # The comparison means something: many predictions were made on a cut tracker.
    assert segments >= 20 and after_cut >= 40, (compared, after_cut, segments)
