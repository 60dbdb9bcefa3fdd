"""A Redis lock store that is safe when several Rasa servers share conversations.

Rasa 3.6's ``RedisLockStore`` issues and returns tickets with a plain
read-modify-write (GET, change, SET). When two servers get a message for the same
person at the same moment, both can read the same lock and hand out the same
ticket, or one can delete the lock the other just joined; the two turns then run
at once and one of them loses its events. Here every change to a lock is a Redis
transaction (WATCH/MULTI/EXEC, retried on conflict), so tickets stay unique.

Use it in ``endpoints.yml`` with ``HW_LOCK_STORE=bot.lock_store.AtomicRedisLockStore``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose lock changes are atomic transactions."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any
    ) -> None:
        """Build from an endpoint config (``url`` = host, plus Redis kwargs)."""
        options = dict(endpoint_config.kwargs) if endpoint_config else {}
        options.update(kwargs)
        host = (endpoint_config.url if endpoint_config else None) or options.pop(
            "host", "localhost"
        )
        options.pop("host", None)
        super().__init__(host=host, **options)

    def _transact(self, conversation_id: str, change: Change[T]) -> T:
        """Apply ``change`` to the stored lock atomically; ``None`` deletes it."""
        from redis.exceptions import WatchError

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except WatchError:
                    continue

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        """Issue a ticket; unique even when servers ask at the same moment."""

        def change(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._transact(conversation_id, change)
        except Exception as error:  # noqa: BLE001 - Rasa expects a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._transact(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return a ticket; delete the lock only if nobody else is waiting."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._transact(conversation_id, change)
