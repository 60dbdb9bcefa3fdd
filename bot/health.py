"""Make tracker-store failures loud: an error log on every failure and a health report.

Rasa wraps the configured tracker store in ``FailSafeTrackerStore``, which quietly
falls back to memory when the database fails (a failed read even starts the person
over with an empty conversation). ``install_failure_alarm_on(store)`` replaces that
quiet fallback handler with one that logs at ERROR level (without the SQL parameters,
which can hold the person's text) and remembers the failure. It is installed once per
agent, when Rasa builds the agent's tracker store (``bot/rasa_patches``), never per
message. ``tracker_store_health(agent)`` checks the real store behind the wrappers and
reports both, plus the state of the
retention clean-up of this process (``bot/retention.py``). A failed clean-up is
logged at ERROR but does not change ``status``: it must not take a server out of the
load balancer's rotation.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from bot import settings

logger = logging.getLogger(__name__)

ALARM_ATTRIBUTE = "_hw_failure_alarm"


@dataclass
class FailureAlarm:
    """Failures of the primary tracker store seen by the FailSafe wrapper."""

    count: int = 0
    last_time: Optional[float] = None
    last_error: Optional[str] = None
    history: List[float] = field(default_factory=list)

    def __call__(self, error: Exception) -> None:
        """FailSafe callback: log loudly and remember the failure."""
        self.count += 1
        self.last_time = time.time()
        self.last_error = describe_error(error)
        self.history = (self.history + [self.last_time])[-50:]
        logger.error(
            "Tracker store FAILED (%s); this turn is kept in memory only and will be "
            "lost on restart. Check the database.",
            self.last_error,
        )


def describe_error(error: Exception) -> str:
    """Error class and first line, without SQL statement or parameters (may hold text)."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    for marker in ("[SQL:", "[parameters:", "(Background on this error"):
        first_line = first_line.split(marker)[0]
    return f"{type(error).__name__}: {first_line.strip()[:200]}".rstrip(": ")


def failure_window() -> float:
    """Seconds a recorded failure keeps the health report at 'degraded'."""
    return settings.health_failure_window()


def _failsafe_of(store: Any) -> Optional[Any]:
    """The FailSafeTrackerStore in a chain of wrappers, if any."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    current, hops = store, 0
    while current is not None and hops < 5:
        if isinstance(current, FailSafeTrackerStore):
            return current
        current = getattr(current, "_tracker_store", None)
        hops += 1
    return None


def real_tracker_store(store: Any) -> Any:
    """The innermost primary store behind FailSafe and Awaitable wrappers."""
    current, hops = store, 0
    while getattr(current, "_tracker_store", None) is not None and hops < 5:
        current = current._tracker_store
        hops += 1
    return current


def install_failure_alarm_on(store: Any) -> Optional[FailureAlarm]:
    """Hook a loud FailureAlarm into the FailSafeTrackerStore of ``store`` (idempotent)."""
    failsafe = _failsafe_of(store)
    if failsafe is None:
        return None
    alarm = getattr(failsafe, ALARM_ATTRIBUTE, None)
    if not isinstance(alarm, FailureAlarm):
        alarm = FailureAlarm()
        setattr(failsafe, ALARM_ATTRIBUTE, alarm)
        failsafe._on_tracker_store_error = alarm
    return alarm


def install_failure_alarm(agent: Any) -> Optional[FailureAlarm]:
    """``install_failure_alarm_on`` for the agent's tracker store."""
    return install_failure_alarm_on(getattr(agent, "tracker_store", None))


def failure_alarm(agent: Any) -> Optional[FailureAlarm]:
    """The alarm installed on the agent's tracker store, if any (installs nothing)."""
    failsafe = _failsafe_of(getattr(agent, "tracker_store", None))
    alarm = getattr(failsafe, ALARM_ATTRIBUTE, None)
    return alarm if isinstance(alarm, FailureAlarm) else None


def _check_store(store: Any) -> Dict[str, Any]:
    """Live check of one real tracker store: reachable, with an events table."""
    engine = getattr(store, "engine", None)
    if isinstance(engine, sa.engine.Engine):
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
                has_events = sa.inspect(connection).has_table("events")
        except Exception as error:  # noqa: BLE001 - any failure is reported
            return {
                "reachable": False,
                "persistent": True,
                "error": describe_error(error),
            }
        if not has_events:
            return {
                "reachable": False,
                "persistent": True,
                "error": "table 'events' missing",
            }
        return {"reachable": True, "persistent": True, "dialect": engine.dialect.name}
    if isinstance(getattr(store, "store", None), dict):
        return {"reachable": True, "persistent": False}
    return {"reachable": True, "persistent": None}


def tracker_store_health(agent: Any, now: Optional[float] = None) -> Dict[str, Any]:
    """Health report: ``status`` is 'ok', 'degraded' (recent failures) or 'error'."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return {
            "status": "error",
            "tracker_store": {"error": "no agent or tracker store"},
        }
    alarm = failure_alarm(agent)
    real = real_tracker_store(store)
    report: Dict[str, Any] = {"type": type(real).__name__, **_check_store(real)}
    status = "ok" if report["reachable"] else "error"
    if alarm is None:
        # Rasa's quiet fallback (or none): failures would go unnoticed. A server
        # started without bot.rasa_patches; not a reason to leave the rotation.
        report["alarm"] = "missing"
    else:
        report["failures"] = alarm.count
        if alarm.last_time is not None:
            age = (time.time() if now is None else now) - alarm.last_time
            report["last_failure_seconds_ago"] = round(age, 1)
            report["last_error"] = alarm.last_error
            if status == "ok" and age < failure_window():
                status = "degraded"
    if status != "ok":
        logger.error(
            "Health check: tracker store %s (%s).",
            status,
            report.get("error") or report.get("last_error"),
        )
    from bot.retention import STATE

    retention = STATE.report(now)
    if retention["status"] == "failed":
        logger.error(
            "Health check: the last retention clean-up FAILED (%s).",
            retention.get("last_error"),
        )
    return {"status": status, "tracker_store": report, "retention": retention}
