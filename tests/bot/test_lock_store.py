"""The atomic Redis lock store against a real Redis server (started by the tests)."""

from __future__ import annotations

import asyncio
import threading
from typing import List, Tuple

from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore


def make_store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(
        EndpointConfig(url="127.0.0.1", port=str(port), type="x")
    )


def test_tickets_stay_unique_when_servers_ask_at_once(redis_port: int) -> None:
    stores = [make_store(redis_port) for _ in range(4)]
    tickets: List[int] = []
    guard = threading.Lock()

    def ask(store: AtomicRedisLockStore) -> None:
        for _ in range(25):
            ticket = store.issue_ticket("ticket-race")
            with guard:
                tickets.append(ticket)

    threads = [threading.Thread(target=ask, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(100))


def test_turns_of_two_servers_never_overlap(redis_port: int) -> None:
    log: List[Tuple[str, str]] = []

    def server(name: str) -> None:
        store = make_store(redis_port)

        async def turn(i: int) -> None:
            async with store.lock("shared-conversation", wait_time_in_seconds=0.01):
                log.append(("in", f"{name}{i}"))
                await asyncio.sleep(0.01)
                log.append(("out", f"{name}{i}"))

        async def all_turns() -> None:
            await asyncio.gather(*(turn(i) for i in range(8)))

        asyncio.run(all_turns())

    threads = [threading.Thread(target=server, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(log) == 32
    for enter, leave in zip(log[::2], log[1::2], strict=False):
        assert enter[0] == "in" and leave == ("out", enter[1])
    assert make_store(redis_port).get_lock("shared-conversation") is None
