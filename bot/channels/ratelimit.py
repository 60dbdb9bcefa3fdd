"""Rate limits for every channel: token buckets and a cap on queued turns.

* **Per conversation** (REST, socket.io, Telegram): a token bucket of
  ``HW_RATE_BURST`` messages refilled at ``HW_RATE_PER_MINUTE``, and at most
  ``HW_QUEUE_PER_CONVERSATION`` turns of one conversation running or waiting at a
  time (on Telegram: queued updates per chat).
* **Per client address** (REST and socket.io): a bucket of ``HW_RATE_ADDRESS_BURST``
  refilled at ``HW_RATE_ADDRESS_PER_MINUTE`` (more than one person may share an
  address). Behind a proxy the address is the one the proxy forwards only when Sanic
  trusts it (``SANIC_PROXIES_COUNT=1`` or ``SANIC_REAL_IP_HEADER``); otherwise every
  client has the proxy's address, which the generous default tolerates.

A refused message is not processed at all: the channel answers with the kind Dutch
text of ``bot/content/limits.yml``. Before refusing, the text is screened by the
crisis detector (off the event loop, within ``HW_CRISIS_BUDGET``): a message of level
``crisis`` or ``check`` is never refused, whatever the limits say, and takes no
tokens. Defaults are in ``bot/settings.py``; one limiter is shared by the channels of
a server process (memory only: with several servers each counts its own share).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional

from bot.settings import (
    DEFAULT_QUEUE_PER_CONVERSATION,
    DEFAULT_RATE_ADDRESS_BURST,
    DEFAULT_RATE_ADDRESS_PER_MINUTE,
    DEFAULT_RATE_BURST,
    DEFAULT_RATE_PER_MINUTE,
)
from hechtwijzer_core.content import load_mapping

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
FLAGGED_LEVELS = ("crisis", "check")
MAX_BUCKETS = 50_000


def _env_number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else float(default)
    except ValueError:
        value = float(default)
    return max(minimum, value)


@dataclass(frozen=True)
class RateSettings:
    """The limits; ``from_environment`` reads them (defaults in ``bot/settings.py``)."""

    per_minute: float = DEFAULT_RATE_PER_MINUTE
    burst: float = DEFAULT_RATE_BURST
    address_per_minute: float = DEFAULT_RATE_ADDRESS_PER_MINUTE
    address_burst: float = DEFAULT_RATE_ADDRESS_BURST
    queue: int = DEFAULT_QUEUE_PER_CONVERSATION

    @classmethod
    def from_environment(cls) -> RateSettings:
        """Read ``HW_RATE_*`` and ``HW_QUEUE_PER_CONVERSATION`` (nonsense: default)."""
        return cls(
            per_minute=_env_number("HW_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE, 1),
            burst=_env_number("HW_RATE_BURST", DEFAULT_RATE_BURST, 1),
            address_per_minute=_env_number(
                "HW_RATE_ADDRESS_PER_MINUTE", DEFAULT_RATE_ADDRESS_PER_MINUTE, 1
            ),
            address_burst=_env_number(
                "HW_RATE_ADDRESS_BURST", DEFAULT_RATE_ADDRESS_BURST, 1
            ),
            queue=int(
                _env_number(
                    "HW_QUEUE_PER_CONVERSATION", DEFAULT_QUEUE_PER_CONVERSATION, 1
                )
            ),
        )


class TokenBuckets:
    """Token buckets by key: ``capacity`` tokens, refilled at ``per_minute``.

    Bounded: the least recently used buckets are forgotten (a forgotten bucket is
    full again, which only ever errs on the side of letting a message through).
    """

    def __init__(
        self,
        capacity: float,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_BUCKETS,
    ) -> None:
        """Empty set of buckets (each starts full)."""
        self.capacity = float(capacity)
        self.rate = float(per_minute) / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def tokens(self, key: str) -> float:
        """Tokens in ``key``'s bucket now."""
        now = self.clock()
        tokens, stamp = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - stamp) * self.rate)

    def take(self, key: str) -> None:
        """Take one token from ``key``'s bucket (callers checked ``tokens`` first)."""
        now = self.clock()
        self._buckets[key] = (self.tokens(key) - 1.0, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)


class RateLimiter:
    """Buckets per conversation and per address, and turns in flight per conversation."""

    def __init__(
        self,
        settings: Optional[RateSettings] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """A limiter with ``settings`` (from the environment when None)."""
        self.settings = settings or RateSettings.from_environment()
        self.conversations = TokenBuckets(
            self.settings.burst, self.settings.per_minute, clock
        )
        self.addresses = TokenBuckets(
            self.settings.address_burst, self.settings.address_per_minute, clock
        )
        self._running: Dict[str, int] = {}
        self._lock = threading.Lock()

    def busy(self, conversation: str) -> int:
        """Turns of ``conversation`` running or waiting right now."""
        return self._running.get(conversation, 0)

    def refusal(self, address: Optional[str], conversation: str) -> Optional[str]:
        """Why a message would be refused now (None: it may go), taking no tokens."""
        if self.busy(conversation) >= self.settings.queue:
            return "queue"
        if self.conversations.tokens(conversation) < 1.0:
            return "conversation"
        if address and self.addresses.tokens(address) < 1.0:
            return "address"
        return None

    def try_admit(self, address: Optional[str], conversation: str) -> Optional[str]:
        """Take a token from both buckets when allowed; else the reason it is refused."""
        with self._lock:
            reason = self.refusal(address, conversation)
            if reason is None:
                self.conversations.take(conversation)
                if address:
                    self.addresses.take(address)
            return reason

    @contextlib.contextmanager
    def running(self, conversation: str) -> Iterator[None]:
        """Count a turn of ``conversation`` as in flight while the block runs."""
        with self._lock:
            self._running[conversation] = self._running.get(conversation, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running.get(conversation, 1) - 1
                if left > 0:
                    self._running[conversation] = left
                else:
                    self._running.pop(conversation, None)


@lru_cache(maxsize=1)
def shared_limiter() -> RateLimiter:
    """The limiter all channels of this server process share (settings read once)."""
    limiter = RateLimiter()
    logger.info(
        "Rate limits: %g messages a minute per conversation (burst %g), %g per "
        "address (burst %g), %d turns queued per conversation.",
        limiter.settings.per_minute,
        limiter.settings.burst,
        limiter.settings.address_per_minute,
        limiter.settings.address_burst,
        limiter.settings.queue,
    )
    return limiter


@lru_cache(maxsize=1)
def limit_text() -> str:
    """The kind Dutch text for a refused message (``bot/content/limits.yml``)."""
    data = load_mapping("limits", CONTENT_DIR)
    return " ".join(str(data["notices"]["rate_limited"]).split())


async def admit(
    limiter: RateLimiter, address: Optional[str], conversation: str, text: str
) -> bool:
    """True when the message may be processed: within the limits, or maybe a crisis."""
    reason = limiter.try_admit(address, conversation)
    if reason is None:
        return True
    from bot.channels.guard import screening_level

    if await screening_level(text) in FLAGGED_LEVELS:
        logger.warning(
            "Rate limit (%s) reached, but the message may be a crisis: let through.",
            reason,
        )
        return True
    logger.warning("Rate limit (%s) reached: a message was refused.", reason)
    return False


def client_address(request: object) -> Optional[str]:
    """The client's address of a Sanic request (None when unknown).

    The forwarded address when Sanic trusts the proxy (``SANIC_PROXIES_COUNT``,
    ``SANIC_REAL_IP_HEADER``), else the peer's.
    """
    forwarded = getattr(request, "remote_addr", "") or ""
    return str(forwarded or getattr(request, "ip", "") or "") or None
