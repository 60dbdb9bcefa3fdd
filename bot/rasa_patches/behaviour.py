"""Changes to what Rasa 3.6 does (not only how fast): action timeout, loud store failures."""

from __future__ import annotations

from typing import Any

from bot import settings

_WRAPPED = "hechtwijzer_failure_alarm"


def configure_action_timeout() -> int:
    """Wait at most ``HW_ACTION_TIMEOUT`` seconds (default 20) for the action server.

    Rasa 3.6 hard-codes 300 s, so a hanging action server left the person waiting
    five minutes. After the limit the turn ends without the action's events and the
    channel guard sends a friendly message; the conversation goes on.
    """
    seconds = patch_action_timeout()
    patch_session_timeout()
    return seconds


def patch_action_timeout() -> int:
    """The limit on one action call (``RemoteAction.run``); returns the seconds."""
    import rasa.core.actions.action as action_module

    seconds = settings.action_timeout()
    action_module.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]
    return seconds


def patch_session_timeout() -> int:
    """The same limit on the HTTP session that calls the action server."""
    import rasa.utils.endpoints as endpoints_module

    seconds = settings.action_timeout()
    endpoints_module.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]
    return seconds


def patch_tracker_store_alarm() -> None:
    """Every agent's FailSafe tracker store gets the loud failure alarm when made.

    Rasa wraps the tracker store in ``FailSafeTrackerStore`` when it builds an agent
    (at start, and again when the HTTP API replaces the model); the alarm
    (``bot.health``) is hooked in right there, once per agent.
    """
    from rasa.core.agent import Agent

    original = Agent._create_tracker_store
    if getattr(original, _WRAPPED, False):
        return

    def create_tracker_store(store: Any, domain: Any) -> Any:
        from bot.health import install_failure_alarm_on

        wrapped = original(store, domain)
        install_failure_alarm_on(wrapped)
        return wrapped

    setattr(create_tracker_store, _WRAPPED, True)
    Agent._create_tracker_store = staticmethod(  # type: ignore[method-assign]
        create_tracker_store
    )
