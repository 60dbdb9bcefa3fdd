"""REST channel with Hechtwijzer's guard: ``POST /webhooks/rest/webhook``.

Differences from Rasa's stock ``RestInput``: every message goes through
``MessageGuard`` (empty, too long, forged payloads), a silent turn gets a friendly
reply, invalid JSON and a missing sender get a clear 400, and user text is never
written to the logs. Besides:

* the sender a client names stays inside ``rest:`` (``bot/channels/identity.py``):
  a REST client never reaches the widget's ``web:`` or Telegram's ``tg:``
  conversations;
* for local use and tests: with ``HW_PROFILE=production`` the webhook is closed
  (403) unless ``HW_REST_TOKEN`` is set, and when it is set every request must carry
  ``Authorization: Bearer <token>`` (compared in constant time; 401 otherwise);
* only ``Content-Type: application/json`` (415 otherwise: no ``text/plain`` POSTs
  from other sites' pages), bodies up to ``HW_MAX_REQUEST_BYTES`` (413 before they
  are read), no client ``metadata`` (``bot/channels/limits.py``);
* rate limits per client address and per conversation
  (``bot/channels/ratelimit.py``): a refused message gets 429 with a kind Dutch text
  and is not processed; a message that may be a crisis is never refused;
* the health route says ``ok`` or ``unavailable`` and nothing more; the details go to
  the log.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
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

from bot.channels.guard import (
    GuardedOutputChannel,
    MessageGuard,
    as_text,
)
from bot.channels.identity import rest_sender_id
from bot.channels.limits import apply_request_limit, client_metadata
from bot.channels.ratelimit import admit, client_address, limit_text, shared_limiter
from bot.health import tracker_store_health

logger = logging.getLogger(__name__)

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")
JSON_MEDIA_TYPE = "application/json"


def rest_token() -> str:
    """The token REST clients must send (``HW_REST_TOKEN``; empty: none)."""
    return os.environ.get("HW_REST_TOKEN", "").strip()


def rest_closed() -> bool:
    """True in the production profile when no REST token is configured."""
    return os.environ.get("HW_PROFILE", "") == "production" and not rest_token()


def bearer_matches(header: Optional[str], token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def is_json(content_type: Optional[str]) -> bool:
    """The request says its body is JSON (parameters such as charset allowed)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE


def error_response(status: int, message: str) -> HTTPResponse:
    """A JSON error body (Dutch text for people, a code for programs)."""
    return response.json({"error": message}, status=status)


async def health_report(agent: Any) -> Dict[str, Any]:
    """Health of the bot, including the real tracker store behind FailSafe."""
    return dict(tracker_store_health(agent))


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
        bp = Blueprint("hechtwijzer_rest", __name__)

        @bp.listener("before_server_start")
        async def limit_requests(app: Any, _: Any) -> None:
            apply_request_limit(app)

        @bp.route("/", methods=["GET"])
        @bp.route("/health", methods=["GET"], name="health_alias")
        async def health(request: Request) -> HTTPResponse:
            # Public: ok or not. What failed (host, user, error) is in the log.
            agent = getattr(request.app.ctx, "agent", None)
            report = await health_report(agent)
            if report.get("status") == "ok":
                return response.json({"status": "ok"})
            return response.json({"status": "unavailable"}, status=503)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            token = rest_token()
            if rest_closed():
                return error_response(
                    403, "The REST channel is closed (set HW_REST_TOKEN to open it)."
                )
            if token and not bearer_matches(
                request.headers.get("authorization"), token
            ):
                return error_response(401, "Authorization: Bearer <token> required.")
            if not is_json(request.headers.get("content-type")):
                return error_response(415, "Content-Type must be application/json.")
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
            sender = rest_sender_id(sender)
            agent = getattr(request.app.ctx, "agent", None)
            limiter = shared_limiter()
            message = payload.get("message")
            if not await admit(
                limiter, client_address(request), sender, as_text(message)
            ):
                # Nothing of it is processed or stored; the person reads why.
                return response.json(
                    [{"recipient_id": sender, "text": limit_text()}], status=429
                )
            with limiter.running(sender):
                text = await self.guard.prepare(agent, sender, message)
                collector = CollectingOutputChannel()
                output = GuardedOutputChannel(collector)
                try:
                    await on_new_message(
                        UserMessage(
                            text,
                            output,
                            sender,
                            input_channel=self.name(),
                            metadata=client_metadata(payload.get("metadata")),
                        )
                    )
                except Exception:  # noqa: BLE001 - never a 500 for the person
                    logger.exception("REST message handling failed (text not logged).")
                await self.guard.finish(agent, sender, output, text)
            return response.json(collector.messages)

        return bp
