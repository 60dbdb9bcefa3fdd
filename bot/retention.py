"""Retention that runs: the daily clean-up inside every Rasa server, and its state.

``RetentionSchedule`` is listed in ``credentials.yml`` like a channel, so every Rasa
server starts it, in every profile; it has no routes. When the server has started,
a background task deletes the conversations older than ``HW_RETENTION_DAYS`` days
(``bot.cleanup.expire``: batches of ``HW_CLEANUP_BATCH`` conversations, one
transaction each, off the event loop), shortly after the start and then every
``HW_CLEANUP_INTERVAL_HOURS`` hours. Several servers may run it at the same time:
every batch looks again, under the conversations' locks, at what is still old.

A failed run is logged at ERROR and kept in ``STATE``; the health report
(``bot/health.py``) carries it. The next run tries again.

``python -m bot.retention`` runs the same clean-up as a process of its own (the
compose sketch's ``cleanup`` service): once with ``--once``, else every interval.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot.settings import DEFAULT_CLEANUP_INTERVAL_HOURS

logger = logging.getLogger(__name__)

FIRST_RUN_DELAY = 60.0


def interval_seconds() -> float:
    """Seconds between clean-ups, from ``HW_CLEANUP_INTERVAL_HOURS`` (default 24).

    Fractions are allowed (tests use seconds); zero, negative or unreadable values
    fall back to the default: the clean-up cannot be switched off by mistake.
    """
    raw = os.environ.get("HW_CLEANUP_INTERVAL_HOURS", "")
    try:
        hours = float(raw) if raw.strip() else float(DEFAULT_CLEANUP_INTERVAL_HOURS)
    except ValueError:
        hours = float(DEFAULT_CLEANUP_INTERVAL_HOURS)
    if not hours > 0:
        hours = float(DEFAULT_CLEANUP_INTERVAL_HOURS)
    return max(1.0, hours * 3600.0)


@dataclass
class RetentionState:
    """What the clean-up of this process did last."""

    runs: int = 0
    failures: int = 0
    last_started: Optional[float] = None
    last_finished: Optional[float] = None
    last_ok: Optional[bool] = None
    last_error: Optional[str] = None
    last_conversations: int = 0
    last_rows: int = 0

    def report(self, now: Optional[float] = None) -> Dict[str, Any]:
        """For the health report: ``status`` is 'ok', 'failed' or 'not run yet'."""
        now = time.time() if now is None else now
        status = {None: "not run yet", True: "ok", False: "failed"}[self.last_ok]
        report: Dict[str, Any] = {
            "status": status,
            "runs": self.runs,
            "failures": self.failures,
            "retention_days": _retention_days(),
            "interval_hours": round(interval_seconds() / 3600.0, 4),
        }
        if self.last_finished is not None:
            report["last_run_seconds_ago"] = round(now - self.last_finished, 1)
            report["last_deleted_conversations"] = self.last_conversations
        if self.last_ok is False:
            report["last_error"] = self.last_error
        return report


STATE = RetentionState()


def _retention_days() -> int:
    from bot.cleanup import retention_days

    return retention_days()


def run_once(
    target: Any, state: RetentionState = STATE, now: Optional[float] = None
) -> bool:
    """One clean-up of ``target`` (a tracker store, engine or URL); True when it worked.

    Blocking (database work): call it off the event loop. Never raises.
    """
    from bot.cleanup import expire
    from bot.health import describe_error

    days = _retention_days()
    state.runs += 1
    state.last_started = time.time()
    try:
        done = expire(target, days, now=now)
    except Exception as error:  # noqa: BLE001 - loud, kept, tried again next run
        state.failures += 1
        state.last_ok = False
        state.last_error = describe_error(error)
        state.last_finished = time.time()
        logger.error(
            "Retention clean-up FAILED (%s): conversations older than %d days may "
            "still be stored. Batches before the failure stay deleted; the next run "
            "tries again in %.4g hours.",
            state.last_error,
            days,
            interval_seconds() / 3600.0,
        )
        return False
    state.last_ok = True
    state.last_error = None
    state.last_finished = time.time()
    state.last_conversations = done.conversations
    state.last_rows = done.rows
    logger.info(
        "Retention clean-up: deleted %d conversations (%d rows, %d batches) older "
        "than %d days.",
        done.conversations,
        done.rows,
        done.batches,
        days,
    )
    return True


async def run_forever(
    target: Callable[[], Any],
    state: RetentionState = STATE,
    first_delay: Optional[float] = None,
) -> None:
    """Clean up shortly after the start, then every interval, until cancelled."""
    interval = interval_seconds()
    delay = min(FIRST_RUN_DELAY, interval) if first_delay is None else first_delay
    loop = asyncio.get_running_loop()
    await asyncio.sleep(delay)
    while True:
        current = target()
        if current is None:
            logger.error("Retention clean-up skipped: no tracker store.")
        else:
            await loop.run_in_executor(None, run_once, current, state)
        await asyncio.sleep(interval)


def keep_reports_visible() -> None:
    """Give this module's logger the server's log level (``LOG_LEVEL``, Rasa's).

    Loading a model imports ``numpy.distutils``, which lowers the *root* logger to
    WARNING; the daily "deleted N conversations" line would then never be seen.
    """
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").upper())
    logger.setLevel(level if isinstance(level, int) else logging.INFO)


class RetentionSchedule(InputChannel):
    """Not a channel people talk to: starts the clean-up in this Rasa server."""

    @classmethod
    def name(cls) -> str:
        """Name used in logs (no routes are served)."""
        return "retention"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Build from ``credentials.yml`` (no settings)."""
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Only listeners: start the task after the server started, stop it before."""
        keep_reports_visible()
        bp = Blueprint("hechtwijzer_retention", __name__)
        tasks: Dict[str, asyncio.Task] = {}

        @bp.listener("after_server_start")
        async def start(app: Any, _: Any) -> None:
            def store() -> Any:
                agent = getattr(app.ctx, "agent", None)
                return getattr(agent, "tracker_store", None)

            tasks["cleanup"] = asyncio.get_running_loop().create_task(
                run_forever(store)
            )
            logger.info(
                "Retention clean-up scheduled: every %.4g hours, conversations older "
                "than %d days.",
                interval_seconds() / 3600.0,
                _retention_days(),
            )

        @bp.listener("before_server_stop")
        async def stop(app: Any, _: Any) -> None:
            task = tasks.pop("cleanup", None)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

        return bp


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the clean-up as its own process: ``--once``, else every interval."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--once", action="store_true", help="one run, then exit")
    parser.add_argument("--endpoints", default=None, help="endpoints file")
    parser.add_argument("--db-url", default=None, help="SQLAlchemy URL (overrides)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from bot import settings, startup_checks
    from bot.cleanup import database_url

    url = args.db_url
    if not url:
        env = settings.load_env()
        for key, value in env.items():  # endpoints files read ${HW_...} from here
            os.environ.setdefault(key, value)
        endpoints = args.endpoints or startup_checks.endpoints_file(env)
        url = database_url(endpoints)
        if not url:
            logger.error("No SQL tracker store in %s; nothing to clean.", endpoints)
            return 1
    while True:
        ok = run_once(url)
        if args.once:
            return 0 if ok else 1
        time.sleep(interval_seconds())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
