"""Rasa speed-ups (bot/speedups.py): same results as Rasa, less work.

Every test starts from Rasa's own functions and puts them back afterwards
(``monkeypatch``), so no other test runs with the speed-ups installed.
"""

from __future__ import annotations

import gc
import sqlite3
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import jsonschema
import pytest
from jsonschema import validators
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import SingletonThreadPool

from bot import speedups

# Rasa's own functions, taken when this module is collected (before any test runs,
# and nothing installs the speed-ups at import).
ORIGINAL_VALIDATE: Callable[..., bool] = RemoteAction.__dict__[
    "_validate_action_result"
]
ORIGINAL_RESOLVE: Any = Event.__dict__["resolve_by_type"]  # a staticmethod object
ORIGINAL_ENGINE_KWARGS: Callable[[Any], Dict[str, Any]] = (
    tracker_store.create_engine_kwargs
)
ORIGINAL_SESSION: Any = EndpointConfig.__dict__["session"]

HINT = "Failed to validate Action server response from API"

VALID_RESULTS: List[Dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "last_topic", "value": "styles"}],
        "responses": [{"text": "Hoi!"}],
    },
    {
        "events": [
            {"event": "action", "name": "action_listen", "timestamp": None},
            {"event": "followup", "name": "action_ask_question"},
        ]
    },
    {"responses": [{"template": "utter_greet"}, {"text": "tweede"}]},
]

INVALID_RESULTS: List[Dict[str, Any]] = [
    {"events": "geen lijst"},
    {"events": {"event": "slot"}},
    {"events": [{"name": "zonder_event"}]},
    {"events": [{"event": 3}]},
    {"responses": {"text": "geen lijst"}},
    {"responses": ["geen object"]},
]


def rasa_validate(result: Dict[str, Any]) -> bool:
    """Rasa's original ``RemoteAction._validate_action_result``."""
    return ORIGINAL_VALIDATE(RemoteAction("action_test", None), result)


def patched_validate(result: Dict[str, Any]) -> bool:
    """Whatever ``RemoteAction._validate_action_result`` is now."""
    return RemoteAction("action_test", None)._validate_action_result(result)


def resolve_original(type_name: str, default: Optional[Any] = None) -> Any:
    """Rasa's original ``Event.resolve_by_type``."""
    return ORIGINAL_RESOLVE.__func__(type_name, default)


def pragma(store: tracker_store.SQLTrackerStore, name: str) -> Any:
    """One PRAGMA value read through the store's own engine."""
    with store.engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


@pytest.fixture(autouse=True)
def rasa_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start each test from Rasa's functions and restore them afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", ORIGINAL_VALIDATE)
    monkeypatch.setattr(Event, "resolve_by_type", ORIGINAL_RESOLVE)
    monkeypatch.setattr(tracker_store, "create_engine_kwargs", ORIGINAL_ENGINE_KWARGS)
    monkeypatch.setattr(EndpointConfig, "session", ORIGINAL_SESSION)
    monkeypatch.delenv("HW_SPEEDUPS", raising=False)
    monkeypatch.setitem(speedups._STATE, "installed", False)
    yield
    if event.contains(Engine, "connect", speedups._sqlite_pragmas):
        event.remove(Engine, "connect", speedups._sqlite_pragmas)


# ------------------------------------------------------------ action validation


def test_originals_are_rasa_functions() -> None:
    """The references this module compares against are Rasa's, not the speed-ups."""
    assert ORIGINAL_VALIDATE.__module__ == "rasa.core.actions.action"
    assert ORIGINAL_RESOLVE.__func__.__module__ == "rasa.shared.core.events"
    assert ORIGINAL_ENGINE_KWARGS.__module__ == "rasa.core.tracker_store"


def test_patch_replaces_action_validation() -> None:
    """After the patch Rasa calls another validator than its own."""
    speedups.patch_action_validation()
    assert RemoteAction.__dict__["_validate_action_result"] is not ORIGINAL_VALIDATE


@pytest.mark.parametrize("result", VALID_RESULTS)
def test_patched_validation_accepts_what_rasa_accepts(result: Dict[str, Any]) -> None:
    """A response Rasa accepts is accepted by the cached validator."""
    assert rasa_validate(result) is True
    speedups.patch_action_validation()
    assert patched_validate(result) is True


@pytest.mark.parametrize("result", INVALID_RESULTS)
def test_patched_validation_rejects_what_rasa_rejects(result: Dict[str, Any]) -> None:
    """A response Rasa rejects raises the same ValidationError, hint included."""
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        rasa_validate(result)
    speedups.patch_action_validation()
    with pytest.raises(jsonschema.ValidationError) as patched_error:
        patched_validate(result)

    assert HINT in patched_error.value.message
    assert "/custom-actions" in patched_error.value.message
    assert patched_error.value.message == rasa_error.value.message
    assert list(patched_error.value.path) == list(rasa_error.value.path)
    assert patched_error.value.validator == rasa_error.value.validator


def test_hint_is_not_repeated_on_later_errors() -> None:
    """Each error gets the hint once, however often the validator has failed."""
    speedups.patch_action_validation()
    for _ in range(3):
        with pytest.raises(jsonschema.ValidationError) as error:
            patched_validate({"events": "geen lijst"})
    assert error.value.message.count(HINT) == 1


def test_patched_validation_does_not_check_the_schema_per_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rasa re-checks the schema on every call; the cached validator never does."""
    schema_class = validators.validator_for(RemoteAction.action_response_format_spec())
    real_check = schema_class.check_schema.__func__
    calls: List[int] = []

    def counting_check(cls: Any, schema: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(1)
        real_check(cls, schema, *args, **kwargs)

    monkeypatch.setattr(schema_class, "check_schema", classmethod(counting_check))

    rasa_validate(VALID_RESULTS[1])
    assert len(calls) == 1, "the counter must see Rasa's own schema check"

    speedups.patch_action_validation()
    after_build = len(calls)
    for _ in range(5):
        patched_validate(VALID_RESULTS[2])
        with pytest.raises(jsonschema.ValidationError):
            patched_validate(INVALID_RESULTS[0])
    assert len(calls) == after_build


# ------------------------------------------------------------------ event lookup


def test_event_lookup_matches_rasa_for_every_event_type() -> None:
    """Every known type name resolves to the class Rasa's class walk finds."""
    names = sorted({cls.type_name for cls in all_subclasses(Event)})
    assert "slot" in names and "user" in names
    speedups.patch_event_lookup()
    assert Event.__dict__["resolve_by_type"] is not ORIGINAL_RESOLVE
    for name in names:
        assert Event.resolve_by_type(name) is resolve_original(name), name
        # A second lookup (from the table) gives the same answer.
        assert Event.resolve_by_type(name) is resolve_original(name), name


def test_event_lookup_unknown_name_raises_value_error() -> None:
    """An unknown event name is an error, as in Rasa."""
    speedups.patch_event_lookup()
    with pytest.raises(ValueError, match="Unknown event name 'geen_event'"):
        Event.resolve_by_type("geen_event")


def test_event_lookup_unknown_name_with_default() -> None:
    """An unknown event name with a default gives the default."""
    speedups.patch_event_lookup()
    assert Event.resolve_by_type("geen_event", ActionExecuted) is ActionExecuted
    assert Event.resolve_by_type("slot", ActionExecuted) is SlotSet


def test_event_lookup_topic_is_none() -> None:
    """Old ``topic`` events resolve to None (Rasa's backwards compatibility)."""
    speedups.patch_event_lookup()
    assert resolve_original("topic") is None
    assert Event.resolve_by_type("topic") is None


def test_event_lookup_finds_subclass_defined_later() -> None:
    """An Event subclass imported after the table was built is still found."""
    type_name = "hechtwijzer_test_late_event"
    speedups.patch_event_lookup()
    assert Event.resolve_by_type("slot") is SlotSet  # the table is built now

    class LateEvent(Event):
        """An event type that did not exist when the table was built."""

        type_name = "hechtwijzer_test_late_event"

        def __eq__(self, other: Any) -> bool:
            return type(other) is type(self)

        def as_story_string(self) -> None:
            return None

    try:
        assert Event.resolve_by_type(type_name) is LateEvent
        assert isinstance(Event.from_parameters({"event": type_name}), LateEvent)
    finally:
        # Forget the test class so no other test sees it among Event's subclasses:
        # drop the patched lookup (its table holds the class) without leaving a
        # reference in monkeypatch's undo list (the autouse fixture restores anyway).
        Event.resolve_by_type = ORIGINAL_RESOLVE  # type: ignore[method-assign]
        del LateEvent
        gc.collect()
    assert type_name not in {cls.type_name for cls in all_subclasses(Event)}


# ------------------------------------------------------------------------ SQLite


def test_sqlite_tracker_store_uses_wal_and_kept_connection(tmp_path: Path) -> None:
    """A SQLite tracker store created after the patch: WAL, NORMAL sync, one pool."""
    speedups.patch_sqlite()
    store = tracker_store.SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    try:
        assert isinstance(store.engine.pool, SingletonThreadPool)
        assert pragma(store, "journal_mode") == "wal"
        assert pragma(store, "synchronous") == 1  # NORMAL
    finally:
        store.engine.dispose()
    with sqlite3.connect(tmp_path / "t.db") as plain:
        # WAL is a property of the file: a plain connection sees it too.
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_tracker_store_without_patch_keeps_rasa_defaults(
    tmp_path: Path,
) -> None:
    """Without the patch Rasa's store is not on WAL (so the test above means something)."""
    store = tracker_store.SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    try:
        assert not isinstance(store.engine.pool, SingletonThreadPool)
        assert pragma(store, "journal_mode") != "wal"
        assert pragma(store, "synchronous") == 2  # FULL, SQLite's default
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("schema_name", [None, "hechtwijzer"])
def test_postgresql_keeps_rasa_engine_kwargs(
    monkeypatch: pytest.MonkeyPatch, schema_name: Optional[str]
) -> None:
    """PostgreSQL URLs get exactly Rasa's engine arguments (no pool class)."""
    if schema_name:
        monkeypatch.setenv("POSTGRESQL_SCHEMA", schema_name)
    else:
        monkeypatch.delenv("POSTGRESQL_SCHEMA", raising=False)
    url = "postgresql://u:p@h/db"
    expected = ORIGINAL_ENGINE_KWARGS(url)
    speedups.patch_sqlite()
    assert tracker_store.create_engine_kwargs is not ORIGINAL_ENGINE_KWARGS
    assert tracker_store.create_engine_kwargs(url) == expected
    assert "poolclass" not in tracker_store.create_engine_kwargs(url)


def test_patch_sqlite_twice_wraps_once() -> None:
    """Patching twice leaves one wrapper around Rasa's function."""
    speedups.patch_sqlite()
    first = tracker_store.create_engine_kwargs
    speedups.patch_sqlite()
    assert tracker_store.create_engine_kwargs is first


# ----------------------------------------------------------------------- install


def test_install_patches_everything_once() -> None:
    """``install()`` installs all speed-ups; a second call changes nothing."""
    speedups.install()
    validate = RemoteAction.__dict__["_validate_action_result"]
    resolve = Event.__dict__["resolve_by_type"]
    engine_kwargs = tracker_store.create_engine_kwargs
    assert validate is not ORIGINAL_VALIDATE
    assert resolve is not ORIGINAL_RESOLVE
    assert engine_kwargs is not ORIGINAL_ENGINE_KWARGS
    assert EndpointConfig.__dict__["session"] is not ORIGINAL_SESSION
    assert event.contains(Engine, "connect", speedups._sqlite_pragmas)
    assert speedups._STATE["installed"] is True

    speedups.install()
    assert RemoteAction.__dict__["_validate_action_result"] is validate
    assert Event.__dict__["resolve_by_type"] is resolve
    assert tracker_store.create_engine_kwargs is engine_kwargs
    assert event.contains(Engine, "connect", speedups._sqlite_pragmas)


def test_action_calls_are_encoded_with_ujson_to_the_same_json() -> None:
    """The action endpoint's session encodes with ujson; the JSON means the same."""
    import asyncio
    import json

    speedups.patch_action_call_encoding()
    assert EndpointConfig.__dict__["session"] is not ORIGINAL_SESSION
    tracker_like = {
        "sender_id": "a/b",
        "slots": {"q01": 4.0, "relationship_context": "partner", "none": None},
        "events": [
            {"event": "user", "text": 'hé, ik twijfel "echt"', "confidence": 0.93}
        ],
    }

    async def encoder() -> Any:
        session = EndpointConfig("http://127.0.0.1:1/webhook").session()
        try:
            return session._json_serialize
        finally:
            await session.close()

    dumps = asyncio.run(encoder())
    assert dumps is speedups._dumps
    assert json.loads(dumps(tracker_like)) == tracker_like
    assert "\\/" not in dumps(tracker_like)


def test_hw_speedups_0_leaves_rasa_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """``HW_SPEEDUPS=0`` (for measuring) installs nothing."""
    monkeypatch.setenv("HW_SPEEDUPS", "0")
    speedups.install()
    assert RemoteAction.__dict__["_validate_action_result"] is ORIGINAL_VALIDATE
    assert EndpointConfig.__dict__["session"] is ORIGINAL_SESSION
    assert speedups._STATE["installed"] is False
