"""REST channel with Hechtwijzer's guard: ``POST /webhooks/rest/webhook``.

Differences from Rasa's stock ``RestInput``: every message goes through the
shared guarded turn (``bot/channels/pipeline.py``: empty, too long, forged payloads,
rate limits, a friendly reply for a silent turn), and the channel keeps only its
transport; invalid JSON and a missing sender get a clear 400, and user text is never
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
* the Dutch texts of its 400 answers are content (``bot/content/rest.yml``);
* the health route says ``ok`` or ``unavailable`` and nothing more; the details go to
  the log.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import MessageGuard
from bot.channels.identity import rest_sender_id
from bot.channels.limits import apply_request_limit
from bot.channels.pipeline import TurnPipeline, TurnRequest
from bot.channels.ratelimit import client_address
from bot.health import tracker_store_health
from hechtwijzer_core.content import load_mapping

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
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


def request_error(key: str) -> str:
    """The Dutch text of a 400 answer (``bot/content/rest.yml``, ``errors``)."""
    return str(load_mapping("rest", CONTENT_DIR)["errors"][key])


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
        """Create the channel; every message goes through one guarded turn."""
        self.pipeline = TurnPipeline(self.name(), guard)

    @property
    def guard(self) -> MessageGuard:
        """The input and output rules of this channel's turns."""
        return self.pipeline.guard

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
                return error_response(400, request_error("invalid_json"))
            if not isinstance(payload, dict):
                return error_response(400, request_error("not_an_object"))
            sender = payload.get("sender")
            if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
                return error_response(400, request_error("missing_sender"))
            sender = rest_sender_id(sender)
            collector = CollectingOutputChannel()
            outcome = await self.pipeline.handle(
                getattr(request.app.ctx, "agent", None),
                TurnRequest(
                    sender,
                    payload.get("message"),
                    address=client_address(request),
                    metadata=payload.get("metadata"),
                ),
                collector,
                on_new_message,
            )
            if outcome.refused:
                # Nothing of it is processed or stored; the person reads why.
                return response.json(
                    [{"recipient_id": sender, "text": self.pipeline.refusal_text()}],
                    status=429,
                )
            return response.json(collector.messages)

        return bp
