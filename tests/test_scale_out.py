"""Two Rasa servers share conversations: PostgreSQL tracker store + Redis lock store.

A person's messages may land on either server (a load balancer in front); the
questions must carry on where they were, and simultaneous messages must not lose
events.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot.channels.identity import rest_sender_id
from testsupport.services import free_port
from testsupport.stack import Stack, start_stack

pytestmark = [pytest.mark.stack, pytest.mark.slow]

PROGRESS = re.compile(r"Vraag (\d+) van (\d+)")


def first_button(replies: List[Dict[str, Any]]) -> str:
    for reply in replies:
        for button in reply.get("buttons") or []:
            return str(button["payload"])
    raise AssertionError(f"no buttons in {replies}")


def progress(replies: List[Dict[str, Any]]) -> int:
    for reply in replies:
        found = PROGRESS.search(reply.get("text") or "")
        if found:
            return int(found.group(1))
    raise AssertionError(f"no question in {replies}")


@pytest.fixture(scope="module")
def two_servers(trained_model: Path, postgres_url: str, redis_port: int, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    extra = {
        "HW_DB_DIALECT": "postgresql",
        "HW_DB_URL": postgres_url,
        "HW_LOCK_STORE": "bot.lock_store.AtomicRedisLockStore",
        "HW_REDIS_HOST": "127.0.0.1",
        "HW_REDIS_PORT": str(redis_port),
    }
    first = start_stack(trained_model, tmp_path_factory.mktemp("scale-a"), extra)
    port = free_port()
    second = Stack(
        trained_model,
        tmp_path_factory.mktemp("scale-b"),
        dict(first.env, HW_PORT=str(port)),
        port,
        first.action_port,
    )
    try:
        second.start_rasa()
        yield first, second
    finally:
        second.stop()
        first.stop()


def test_questions_continue_across_servers(two_servers) -> None:  # type: ignore[no-untyped-def]
    a, b = two_servers
    sender = "scale-out-1"
    replies = a.post(sender, "ik wil de vragen doen")
    replies = b.post(sender, first_button(replies))  # relationship context
    seen = [progress(replies)]
    for server in (a, b, a, b):
        replies = server.post(sender, first_button(replies))
        seen.append(progress(replies))
    assert seen == [seen[0] + i for i in range(5)]


def test_simultaneous_messages_on_both_servers_lose_nothing(two_servers) -> None:  # type: ignore[no-untyped-def]
    import psycopg2

    a, b = two_servers
    sender = "scale-out-2"
    messages = [
        "hoi",
        "wat is hechting?",
        "wat kun je?",
        "dank je",
        "wat is een trigger?",
        "hallo",
    ]
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        replies = list(
            pool.map(
                lambda i: (a if i % 2 else b).post(sender, messages[i]),
                range(len(messages)),
            )
        )
    assert all(r and r[0].get("text") for r in replies)
    with psycopg2.connect(a.env["HW_DB_URL"]) as db, db.cursor() as cursor:
        cursor.execute(
            "select data from events where sender_id = %s and type_name = 'user'",
            (rest_sender_id(sender),),
        )
        stored = sorted(json.loads(row[0])["text"] for row in cursor.fetchall())
    assert stored == sorted(messages)
