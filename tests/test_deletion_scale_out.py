"""A deleted conversation stays deleted with two Rasa servers (PostgreSQL + Redis).

Server B is in the middle of a turn for a person (it loaded the conversation and
waits for its action server) when server A deletes that conversation on the
person's request. B's lock ticket has expired by then (a turn slower than
``TICKET_LOCK_LIFETIME``), so nothing stops A; when B's turn ends, it saves what it
had loaded. Without the tombstone that save writes the whole conversation back.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from testsupport.replies import payloads
from testsupport.rest import domain_text
from testsupport.stack import Stack, start_stack

pytestmark = [pytest.mark.stack, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
LOCK_LIFETIME = 3  # seconds: B's turn outlives its ticket


def rows_with(url: str, marker: str) -> int:
    import psycopg2

    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM events WHERE data LIKE %s", (f"%{marker}%",)
        )
        return int(cursor.fetchone()[0])


@pytest.fixture(scope="module")
def servers(
    trained_model: Path,
    postgres_url: str,
    redis_port: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Tuple[Stack, Stack]]:
    """Two Rasa servers, each with its own action server, sharing PostgreSQL and Redis."""
    extra = {
        "HW_DB_DIALECT": "postgresql",
        "HW_DB_URL": postgres_url,
        "HW_LOCK_STORE": "bot.lock_store.AtomicRedisLockStore",
        "HW_REDIS_HOST": "127.0.0.1",
        "HW_REDIS_PORT": str(redis_port),
        "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME),
    }
    first = start_stack(trained_model, tmp_path_factory.mktemp("race-a"), extra)
    try:
        second = start_stack(trained_model, tmp_path_factory.mktemp("race-b"), extra)
    except Exception:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


def test_a_slow_turn_on_another_server_does_not_bring_it_back(
    servers: Tuple[Stack, Stack]
) -> None:
    a, b = servers
    url = a.env["HW_DB_URL"]
    marker = f"lichtkogel{uuid.uuid4().hex[:10]}"
    sender = f"race-{uuid.uuid4().hex[:8]}"
    a.post(sender, "hoi")
    a.post(sender, f"mijn vriend heet {marker} en we hebben soms ruzie")
    assert "/confirm_delete_data" in payloads(a.post(sender, "verwijder mijn gegevens"))
    assert rows_with(url, marker) >= 1

    slow: Dict[str, Any] = {}
    b_actions = b.procs["actions"]
    os.kill(b_actions.pid, signal.SIGSTOP)  # B's turn waits for its action server
    try:
        turn = threading.Thread(
            target=lambda: slow.update(
                reply=b.post_raw(
                    {"sender": sender, "message": "verwijder mijn gegevens"}
                )
            )
        )
        turn.start()
        time.sleep(
            LOCK_LIFETIME + 2
        )  # B has loaded the conversation; its ticket expired
        assert turn.is_alive()
        done = a.post(sender, "/confirm_delete_data")
        assert [r["text"] for r in done if r.get("text")] == [
            domain_text("utter_data_deleted")
        ]
        assert rows_with(url, marker) == 0
    finally:
        os.kill(b_actions.pid, signal.SIGCONT)
    turn.join(120)
    assert slow["reply"][0] == 200  # B's turn ended normally ...
    assert rows_with(url, marker) == 0  # ... and did not write the conversation back
    log = b.log_path("rasa").read_text(encoding="utf-8", errors="replace")
    assert "deleted meanwhile was not saved" in log
    # The person carries on in a new, empty conversation, on either server.
    assert b.post(sender, "hoi")
    assert a.post(sender, "wat is hechting?")
    assert rows_with(url, marker) == 0
