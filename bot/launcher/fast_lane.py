"""Pytest plugin of ``./hw test --fast``: keeps the unit lane.

Leaves out tests marked ``stack``, ``browser`` or ``slow`` and every test that uses a
fixture which trains a model or starts servers (``trained_model``, ``stack``, the
channel app, PostgreSQL, Redis), whether or not it is marked, so the lane stays fast
as tests are added. Loaded with ``-p bot.launcher.fast_lane``; nothing happens at import.
"""

from __future__ import annotations

from typing import Any, List

SLOW_MARKS = frozenset({"stack", "browser", "slow"})
SLOW_FIXTURES = frozenset(
    {"trained_model", "stack", "channel_app", "postgres_url", "redis_port"}
)


def is_fast(item: Any) -> bool:
    """Whether a collected test belongs to the unit lane."""
    marks = {mark.name for mark in item.iter_markers()}
    fixtures = set(getattr(item, "fixturenames", ()))
    return not (marks & SLOW_MARKS or fixtures & SLOW_FIXTURES)


def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    """Deselect what is not in the unit lane."""
    keep = [item for item in items if is_fast(item)]
    dropped = [item for item in items if not is_fast(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
