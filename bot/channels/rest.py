"""REST channel with Hechtwijzer's guard: ``POST /webhooks/rest/webhook``.

Differences from Rasa's stock ``RestInput``: every message goes through
``MessageGuard`` (empty, too long, forged payloads), a silent turn gets a friendly
reply, invalid JSON and a missing sender get a clear 400, and user text is never
written to the logs.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import speedups
from bot.channels.guard import (
    GuardedOutputChannel,
    MessageGuard,
    configure_action_timeout,
)

logger = logging.getLogger(__name__)

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")


def error_response(status: int, message: str) -> HTTPResponse:
    """A JSON error body (Dutch text for people, a code for programs)."""
    return response.json({"error": message}, status=status)


async def health_report(agent: Any) -> Dict[str, Any]:
    """Health of the bot, including the real tracker store behind FailSafe."""
    try:
        from bot.health import tracker_store_health
    except ImportError:
        return {"status": "ok", "tracker_store": "unchecked"}
    report = tracker_store_health(agent)
    if inspect.isawaitable(report):
        report = await report
    return dict(report)


class GuardedRestInput(InputChannel):
    """Synchronous REST channel: the reply list comes back in the HTTP response."""

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's URL: ``/webhooks/rest/``."""
        return "rest"

    def __init__(self, guard: Optional[MessageGuard] = None) -> None:
        """Create the channel with a guard."""
        self.guard = guard or MessageGuard()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Build from ``credentials.yml`` (no settings needed)."""
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Routes: ``GET /`` (health) and ``POST /webhook``."""
        configure_action_timeout()
        speedups.install()
        bp = Blueprint("hechtwijzer_rest", __name__)

        @bp.route("/", methods=["GET"])
        @bp.route("/health", methods=["GET"], name="health_alias")
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            report = await health_report(agent)
            status = 200 if report.get("status") == "ok" else 503
            return response.json(report, status=status)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                payload = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return error_response(
                    400, 'Ongeldige JSON. Stuur {"sender": "...", "message": "..."}.'
                )
            if not isinstance(payload, dict):
                return error_response(
                    400, "Verwacht een JSON-object met sender en message."
                )
            sender = payload.get("sender")
            if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
                return error_response(
                    400,
                    "Geef een 'sender' mee: 1 tot 128 letters, cijfers of _.:@-.",
                )
            metadata = payload.get("metadata")
            agent = getattr(request.app.ctx, "agent", None)
            text = await self.guard.prepare(agent, sender, payload.get("message"))
            collector = CollectingOutputChannel()
            output = GuardedOutputChannel(collector)
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        output,
                        sender,
                        input_channel=self.name(),
                        metadata=metadata if isinstance(metadata, dict) else None,
                    )
                )
            except Exception:  # noqa: BLE001 - never a 500 for the person
                logger.exception("REST message handling failed (text not logged).")
            await self.guard.finish(agent, sender, output, text)
            return response.json(collector.messages)

        return bp
