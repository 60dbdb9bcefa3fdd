"""Every change Hechtwijzer makes to Rasa's internals, registered in one place.

Each patch names its target (the dotted path it replaces) and why. ``install()``
applies them once per process, before Rasa builds anything: the Rasa server is
started as ``python -m bot.rasa_patches.server run ...`` (``bot/serving.py``, used by
``./hw run``, ``deploy/serve.py``, the tests and the benchmarks), so every server
has them, whatever channels ``credentials.yml`` configures.

The patches depend on Rasa's internals as they are in exactly one version:
``install()`` refuses any other (``UnsupportedRasaVersion``). After upgrading Rasa,
check every target in the table (``python -m bot.rasa_patches``) and then change
``SUPPORTED_RASA``.

Speed patches (``speed=True``) change how fast, never what; ``HW_SPEEDUPS=0`` leaves
them out to measure them. Not patches, so not here: the SQLite settings and indexes
of our own tracker store (``bot/tracker_store.py``, on its own engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from bot import settings
from bot.rasa_patches import behaviour, speed

SUPPORTED_RASA = "3.6.21"


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the one the patches were written against."""


@dataclass(frozen=True)
class Patch:
    """One change to Rasa: what it replaces, why, and how it is applied."""

    name: str
    target: str
    reason: str
    apply: Callable[[], object]
    speed: bool = False


PATCHES: Tuple[Patch, ...] = (
    Patch(
        "action_timeout",
        "rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT",
        "Rasa waits 300 s for the action server; we wait HW_ACTION_TIMEOUT (20 s) "
        "and the guard answers kindly",
        behaviour.patch_action_timeout,
    ),
    Patch(
        "action_session_timeout",
        "rasa.utils.endpoints.DEFAULT_REQUEST_TIMEOUT",
        "the same limit on the HTTP session that calls the action server",
        behaviour.patch_session_timeout,
    ),
    Patch(
        "tracker_store_alarm",
        "rasa.core.agent.Agent._create_tracker_store",
        "FailSafeTrackerStore falls back to memory silently; hook the loud alarm "
        "(bot/health.py) into it once, when the agent is built",
        behaviour.patch_tracker_store_alarm,
    ),
    Patch(
        "action_validation",
        "rasa.core.actions.action.RemoteAction._validate_action_result",
        "jsonschema re-checks the schema on every action response; validate with "
        "a validator built once",
        speed.patch_action_validation,
        speed=True,
    ),
    Patch(
        "event_lookup",
        "rasa.shared.core.events.Event.resolve_by_type",
        "walks all Event subclasses for every stored event; look up a table "
        "built once",
        speed.patch_event_lookup,
        speed=True,
    ),
    Patch(
        "action_call_encoding",
        "rasa.utils.endpoints.EndpointConfig.session",
        "encode the conversation sent to the action server with ujson (same JSON, "
        "faster)",
        speed.patch_action_call_encoding,
        speed=True,
    ),
)

_STATE: Dict[str, Optional[Tuple[str, ...]]] = {"installed": None}


def rasa_version() -> str:
    """The version of the Rasa that is imported."""
    import rasa

    return str(rasa.__version__)


def check_version() -> None:
    """Refuse a Rasa other than ``SUPPORTED_RASA`` (the patches touch its internals)."""
    found = rasa_version()
    if found != SUPPORTED_RASA:
        raise UnsupportedRasaVersion(
            f"Hechtwijzer changes internals of Rasa {SUPPORTED_RASA} "
            f"(bot/rasa_patches), but Rasa {found} is installed. Install the locked "
            "version (requirements.lock), or check every target listed by "
            "`python -m bot.rasa_patches` against the new Rasa and then change "
            "SUPPORTED_RASA."
        )


def speedups_enabled() -> bool:
    """False when ``HW_SPEEDUPS=0`` (to measure Rasa without the speed patches)."""
    return settings.env_int("HW_SPEEDUPS", 1, 0) != 0


def install() -> Tuple[str, ...]:
    """Apply every patch once (idempotent); return the names applied.

    Raises ``UnsupportedRasaVersion`` before changing anything on another Rasa.
    """
    done = _STATE["installed"]
    if done is not None:
        return done
    check_version()
    applied: List[str] = []
    with_speed = speedups_enabled()
    for patch in PATCHES:
        if patch.speed and not with_speed:
            continue
        patch.apply()
        applied.append(patch.name)
    done = tuple(applied)
    _STATE["installed"] = done
    return done


def table() -> str:
    """The patches as a Markdown table (for the docs)."""
    rows = [
        "| patch | target | kind | why |",
        "| --- | --- | --- | --- |",
    ]
    for patch in PATCHES:
        kind = "speed (HW_SPEEDUPS=0 leaves it out)" if patch.speed else "behaviour"
        rows.append(f"| {patch.name} | `{patch.target}` | {kind} | {patch.reason} |")
    return "\n".join(rows)
