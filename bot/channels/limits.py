"""Bounded work per request: a size cap before any parsing, and no client metadata.

* ``HW_MAX_REQUEST_BYTES`` (default 64 KB) caps every HTTP request body of the Rasa
  server (Sanic's ``REQUEST_MAX_SIZE``: a bigger body is answered 413 before it is
  read, let alone parsed as JSON), every websocket frame (``WEBSOCKET_MAX_SIZE``) and
  every socket.io message (python-engineio's ``max_http_buffer_size``). The channels
  set it on the Rasa server's app; a ``SANIC_REQUEST_MAX_SIZE`` in the environment
  would also cap the action server, which gets the whole conversation with each call.
* Client ``metadata`` is not passed on: Rasa would store it in every user event and
  send it to the action server with every call. Only keys in ``ALLOWED_METADATA`` pass,
  within ``MAX_METADATA_BYTES``; no part of Hechtwijzer needs any, so it is empty.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, FrozenSet, Optional

from bot.settings import DEFAULT_MAX_REQUEST_BYTES, MIN_REQUEST_BYTES

logger = logging.getLogger(__name__)

ALLOWED_METADATA: FrozenSet[str] = frozenset()
MAX_METADATA_BYTES = 512


def max_request_bytes() -> int:
    """Largest request body (bytes), from ``HW_MAX_REQUEST_BYTES`` (at least 4 KB)."""
    raw = os.environ.get("HW_MAX_REQUEST_BYTES", "").strip()
    try:
        value = int(raw) if raw else DEFAULT_MAX_REQUEST_BYTES
    except ValueError:
        value = DEFAULT_MAX_REQUEST_BYTES
    return max(MIN_REQUEST_BYTES, value)


def apply_request_limit(app: Any) -> int:
    """Cap request bodies and websocket frames of ``app`` (a Sanic app); the cap."""
    limit = max_request_bytes()
    config = app.config
    if getattr(config, "REQUEST_MAX_SIZE", None) != limit:
        config.REQUEST_MAX_SIZE = limit
        config.WEBSOCKET_MAX_SIZE = limit
        logger.info("Requests larger than %d bytes are refused (413).", limit)
    return limit


def client_metadata(raw: Any) -> Optional[Dict[str, Any]]:
    """What of a client's ``metadata`` reaches Rasa: allowed keys only, size-capped."""
    if not isinstance(raw, dict) or not ALLOWED_METADATA:
        return None
    kept = {key: raw[key] for key in ALLOWED_METADATA if key in raw}
    if not kept:
        return None
    try:
        size = len(json.dumps(kept, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        return None
    return kept if size <= MAX_METADATA_BYTES else None
