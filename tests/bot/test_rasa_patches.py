"""Patches of Rasa (bot/rasa_patches): installed once, only on Rasa 3.6.21.

The speed patches give the same results as Rasa with less work; the behaviour
patches (action timeout, loud tracker-store failures) are active in every server,
whatever its channels. Every test starts from Rasa's own functions and puts them
back afterwards (``monkeypatch``), so no other test runs with the patches installed.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import jsonschema
import pytest
import rasa
import rasa.core.actions.action as action_module
import rasa.utils.endpoints as endpoints_module
from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot import health, rasa_patches, serving, settings
from bot.rasa_patches import server as patched_server
from bot.rasa_patches import speed

ROOT = Path(__file__).resolve().parents[2]

# Rasa's own functions, taken when this module is collected (before any test runs,
# and nothing installs the speed-ups at import).
ORIGINAL_VALIDATE: Callable[..., bool] = RemoteAction.__dict__[
    "_validate_action_result"
]
ORIGINAL_RESOLVE: Any = Event.__dict__["resolve_by_type"]  # a staticmethod object
ORIGINAL_SESSION: Any = EndpointConfig.__dict__["session"]
ORIGINAL_CREATE_STORE: Any = Agent.__dict__["_create_tracker_store"]

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


@pytest.fixture(autouse=True)
def rasa_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start each test from Rasa's functions and restore them afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", ORIGINAL_VALIDATE)
    monkeypatch.setattr(Event, "resolve_by_type", ORIGINAL_RESOLVE)
    monkeypatch.setattr(EndpointConfig, "session", ORIGINAL_SESSION)
    monkeypatch.setattr(Agent, "_create_tracker_store", ORIGINAL_CREATE_STORE)
    monkeypatch.setattr(action_module, "DEFAULT_REQUEST_TIMEOUT", 300)
    monkeypatch.setattr(endpoints_module, "DEFAULT_REQUEST_TIMEOUT", 300)
    monkeypatch.delenv("HW_SPEEDUPS", raising=False)
    monkeypatch.delenv("HW_ACTION_TIMEOUT", raising=False)
    monkeypatch.setitem(rasa_patches._STATE, "installed", None)
    yield


# ------------------------------------------------------------ action validation


def test_originals_are_rasa_functions() -> None:
    """The references this module compares against are Rasa's, not the speed-ups."""
    assert ORIGINAL_VALIDATE.__module__ == "rasa.core.actions.action"
    assert ORIGINAL_RESOLVE.__func__.__module__ == "rasa.shared.core.events"
    assert ORIGINAL_CREATE_STORE.__func__.__module__ == "rasa.core.agent"


def test_patch_replaces_action_validation() -> None:
    """After the patch Rasa calls another validator than its own."""
    speed.patch_action_validation()
    assert RemoteAction.__dict__["_validate_action_result"] is not ORIGINAL_VALIDATE


@pytest.mark.parametrize("result", VALID_RESULTS)
def test_patched_validation_accepts_what_rasa_accepts(result: Dict[str, Any]) -> None:
    """A response Rasa accepts is accepted by the cached validator."""
    assert rasa_validate(result) is True
    speed.patch_action_validation()
    assert patched_validate(result) is True


@pytest.mark.parametrize("result", INVALID_RESULTS)
def test_patched_validation_rejects_what_rasa_rejects(result: Dict[str, Any]) -> None:
    """A response Rasa rejects raises the same ValidationError, hint included."""
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        rasa_validate(result)
    speed.patch_action_validation()
    with pytest.raises(jsonschema.ValidationError) as patched_error:
        patched_validate(result)

    assert HINT in patched_error.value.message
    assert "/custom-actions" in patched_error.value.message
    assert patched_error.value.message == rasa_error.value.message
    assert list(patched_error.value.path) == list(rasa_error.value.path)
    assert patched_error.value.validator == rasa_error.value.validator


def test_hint_is_not_repeated_on_later_errors() -> None:
    """Each error gets the hint once, however often the validator has failed."""
    speed.patch_action_validation()
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

    speed.patch_action_validation()
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
    speed.patch_event_lookup()
    assert Event.__dict__["resolve_by_type"] is not ORIGINAL_RESOLVE
    for name in names:
        assert Event.resolve_by_type(name) is resolve_original(name), name
        # A second lookup (from the table) gives the same answer.
        assert Event.resolve_by_type(name) is resolve_original(name), name


def test_event_lookup_unknown_name_raises_value_error() -> None:
    """An unknown event name is an error, as in Rasa."""
    speed.patch_event_lookup()
    with pytest.raises(ValueError, match="Unknown event name 'geen_event'"):
        Event.resolve_by_type("geen_event")


def test_event_lookup_unknown_name_with_default() -> None:
    """An unknown event name with a default gives the default."""
    speed.patch_event_lookup()
    assert Event.resolve_by_type("geen_event", ActionExecuted) is ActionExecuted
    assert Event.resolve_by_type("slot", ActionExecuted) is SlotSet


def test_event_lookup_topic_is_none() -> None:
    """Old ``topic`` events resolve to None (Rasa's backwards compatibility)."""
    speed.patch_event_lookup()
    assert resolve_original("topic") is None
    assert Event.resolve_by_type("topic") is None


def test_event_lookup_finds_subclass_defined_later() -> None:
    """An Event subclass imported after the table was built is still found."""
    type_name = "hechtwijzer_test_late_event"
    speed.patch_event_lookup()
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


# ------------------------------------------------------------ action-call encoding


def test_action_calls_are_encoded_with_ujson_to_the_same_json() -> None:
    """The action endpoint's session encodes with ujson; the JSON means the same."""
    speed.patch_action_call_encoding()
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
            return session._json_serialize, session.timeout.total
        finally:
            await session.close()

    dumps, _timeout = asyncio.run(encoder())
    assert dumps is speed.dumps
    assert json.loads(dumps(tracker_like)) == tracker_like
    assert "\\/" not in dumps(tracker_like)


# ----------------------------------------------------------------------- install


def test_install_applies_every_patch_once() -> None:
    """All registered patches are applied; a second install changes nothing."""
    applied = rasa_patches.install()
    assert applied == tuple(p.name for p in rasa_patches.PATCHES)
    validate = RemoteAction.__dict__["_validate_action_result"]
    resolve = Event.__dict__["resolve_by_type"]
    session = EndpointConfig.__dict__["session"]
    create_store = Agent.__dict__["_create_tracker_store"]
    assert validate is not ORIGINAL_VALIDATE
    assert resolve is not ORIGINAL_RESOLVE
    assert session is not ORIGINAL_SESSION
    assert create_store is not ORIGINAL_CREATE_STORE

    assert rasa_patches.install() == applied
    assert RemoteAction.__dict__["_validate_action_result"] is validate
    assert Event.__dict__["resolve_by_type"] is resolve
    assert EndpointConfig.__dict__["session"] is session
    assert Agent.__dict__["_create_tracker_store"] is create_store


def test_every_patch_names_a_target_that_exists_and_a_reason() -> None:
    """The table is true for this Rasa: every target resolves; names are unique."""
    import importlib

    names = [patch.name for patch in rasa_patches.PATCHES]
    assert len(names) == len(set(names))
    for patch in rasa_patches.PATCHES:
        assert patch.reason and "\n" not in patch.reason
        parts = patch.target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            try:
                found: Any = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
            break
        else:  # pragma: no cover - the loop always finds rasa
            raise AssertionError(patch.target)
        assert f"`{patch.target}`" in rasa_patches.table()


def test_table_is_printed_for_the_docs() -> None:
    """``python -m bot.rasa_patches`` prints one row per patch."""
    out = subprocess.run(
        [sys.executable, "-m", "bot.rasa_patches"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + len(rasa_patches.PATCHES)  # header and rule


def test_another_rasa_version_is_refused_before_any_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a Rasa other than 3.6.21 nothing is patched, with a clear error."""
    monkeypatch.setattr(rasa, "__version__", "3.6.20")
    with pytest.raises(rasa_patches.UnsupportedRasaVersion, match="3.6.20"):
        rasa_patches.install()
    assert RemoteAction.__dict__["_validate_action_result"] is ORIGINAL_VALIDATE
    assert action_module.DEFAULT_REQUEST_TIMEOUT == 300
    assert rasa_patches._STATE["installed"] is None


def test_the_server_entry_refuses_another_version(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Rasa server stops at once with a [hw] line instead of running unpatched."""
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    assert patched_server.main(["run"]) == 2
    assert "[hw]" in capsys.readouterr().err


def test_hw_speedups_0_leaves_the_speed_patches_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``HW_SPEEDUPS=0`` (for measuring): behaviour patches only."""
    monkeypatch.setenv("HW_SPEEDUPS", "0")
    applied = rasa_patches.install()
    assert set(applied) == {p.name for p in rasa_patches.PATCHES if not p.speed}
    assert RemoteAction.__dict__["_validate_action_result"] is ORIGINAL_VALIDATE
    assert EndpointConfig.__dict__["session"] is ORIGINAL_SESSION
    assert action_module.DEFAULT_REQUEST_TIMEOUT == settings.DEFAULT_ACTION_TIMEOUT


# ------------------------------------------------- behaviour in every server


def test_action_timeout_without_any_channel_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server with only Telegram gets the timeout: no REST or socket.io is built."""
    monkeypatch.setenv("HW_ACTION_TIMEOUT", "7")
    ran: Dict[str, Any] = {}

    def fake_rasa_main() -> None:
        # What a Telegram-only `rasa run` would see when it calls the action server.
        ran["argv"] = list(sys.argv)
        ran["action"] = action_module.DEFAULT_REQUEST_TIMEOUT
        ran["session"] = endpoints_module.DEFAULT_REQUEST_TIMEOUT

    import rasa.__main__ as rasa_main_module

    monkeypatch.setattr(rasa_main_module, "main", fake_rasa_main)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    credentials = ["--credentials", "telegram-only.yml"]
    assert patched_server.main(["run", *credentials]) == 0
    assert ran == {"argv": ["rasa", "run", *credentials], "action": 7, "session": 7}


def test_unparseable_timeout_falls_back_to_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HW_ACTION_TIMEOUT", "nonsense")
    rasa_patches.install()
    assert action_module.DEFAULT_REQUEST_TIMEOUT == settings.DEFAULT_ACTION_TIMEOUT


def test_every_rasa_server_is_started_through_the_patches(tmp_path: Path) -> None:
    """``./hw run``, deploy/serve.py, tests and benchmarks share this command line."""
    env = settings.load_env()
    env.update({"HW_PROFILE": "embedded", "HW_SESSION_SECRET": "s" * 40})
    command = serving.server_commands(env, tmp_path / "m.tar.gz")["rasa"]
    assert command[1:4] == ["-m", "bot.rasa_patches.server", "run"]


def test_an_agents_failsafe_store_gets_the_alarm_once() -> None:
    """Rasa builds the FailSafe wrapper with the alarm in it; a message adds nothing."""
    rasa_patches.install()
    agent = Agent(domain=Domain.empty())
    assert isinstance(agent.tracker_store, FailSafeTrackerStore)
    alarm = health.failure_alarm(agent)
    assert alarm is not None
    assert agent.tracker_store._on_tracker_store_error is alarm
    again = Agent(
        domain=Domain.empty(), tracker_store=InMemoryTrackerStore(Domain.empty())
    )
    assert health.failure_alarm(again) is not None
    assert health.failure_alarm(again) is not alarm


def test_without_the_patch_rasas_failsafe_stays_quiet() -> None:
    """So the test above means something: Rasa alone installs no alarm."""
    agent = Agent(domain=Domain.empty())
    assert health.failure_alarm(agent) is None
