"""Attacks on a running Hechtwijzer, measured: attempted / blocked / data lost.

Starts its own bot (action server + Rasa, SQLite, loopback only, the default rate
limits), performs each attack against it and prints one table row per attack:

* reading another conversation over REST (a widget's and a Telegram chat's ids);
* eavesdropping over socket.io with forged or unsigned session ids while the victim
  reads their summary;
* typed commands with slashes and invisible characters ("/ /confirm_delete_data");
* a 1 MB body and a 200 KB crisis-looking message (and one just under the size cap)
  while the health endpoint is timed;
* metadata stuffing (is it in SQLite?);
* flooding one conversation while its owner sends a crisis message (timed);
* a delete the database refuses (is the person told, is anything half deleted?);
* the WAL remnant (a marker word, delete, then no marker in any ``*.db*`` file).

The scale-out resurrection race needs two servers on PostgreSQL and Redis; the row
names the test that performs it. Run by hand:

    .venv/bin/python bench/attacks.py [--model models/<name>.tar.gz]

It stops by itself (every wait is bounded; the whole run takes a few minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import settings  # noqa: E402
from bot.channels.identity import rest_sender_id  # noqa: E402
from bot.channels.ratelimit import limit_text  # noqa: E402
from testsupport.replies import joined  # noqa: E402
from testsupport.rest import (  # noqa: E402
    database_bytes,
    domain_text,
    refusing_deletes,
    rows_of,
    rows_with,
    talk_and_ask_to_delete,
)
from testsupport.socketio_person import (  # noqa: E402
    VICTIM_RESULT,
    Person,
    forged_ids,
    meet_victim,
)
from testsupport.stack import Stack, start_stack  # noqa: E402

HELPLINE = "0800-0113"
CRISIS = "ik wil dood zo moe ben ik"
RUN_SECONDS = 900  # the whole run stops after this, whatever happens
DEFAULT_LIMITS = {
    "HW_RATE_PER_MINUTE": str(settings.DEFAULT_RATE_PER_MINUTE),
    "HW_RATE_BURST": str(settings.DEFAULT_RATE_BURST),
    "HW_RATE_ADDRESS_PER_MINUTE": str(settings.DEFAULT_RATE_ADDRESS_PER_MINUTE),
    "HW_RATE_ADDRESS_BURST": str(settings.DEFAULT_RATE_ADDRESS_BURST),
    "HW_QUEUE_PER_CONVERSATION": str(settings.DEFAULT_QUEUE_PER_CONVERSATION),
}


@dataclass
class Row:
    """One attack's outcome."""

    attack: str
    attempted: int
    blocked: int
    lost: str
    measured: str = ""


# ------------------------------------------------------------------ helpers
def restarts_of(db: Path, sender_id: str) -> int:
    """Restart events of one conversation."""
    with sqlite3.connect(db) as connection:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM events WHERE sender_id = ? "
                "AND type_name = 'restart'",
                (sender_id,),
            ).fetchone()[0]
        )


def health_seconds(stack: Stack) -> float:
    """How long the health endpoint takes to answer (10 s when it does not)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{stack.base_url}/webhooks/rest/", timeout=10):
            pass
    except OSError:
        return 10.0
    return time.monotonic() - started


def while_timing_health(stack: Stack, work: Callable[[], Any]) -> Tuple[Any, float]:
    """Run ``work`` in a thread and time the health endpoint meanwhile; worst time."""
    result: Dict[str, Any] = {}
    thread = threading.Thread(target=lambda: result.setdefault("r", work()))
    thread.start()
    worst = 0.0
    time.sleep(0.05)
    while thread.is_alive():
        worst = max(worst, health_seconds(stack))
        time.sleep(0.05)
    thread.join(60)
    worst = max(worst, health_seconds(stack))
    return result.get("r"), worst


# ------------------------------------------------------------------ the victim
def web_victim(stack: Stack) -> Dict[str, Any]:
    """A widget conversation with a result: signed id, token, sender id, summary."""
    found = meet_victim(stack.base_url)
    if VICTIM_RESULT not in found["summary"]:
        raise RuntimeError("the victim got no summary: " + found["summary"][:300])
    if found["token"] is None:
        raise RuntimeError("the server did not sign the victim's session id")
    return found


# ------------------------------------------------------------------ attacks
def rest_reading(stack: Stack, victim: Dict[str, Any]) -> Row:
    """REST asks for "samenvatting" under every form of the victim's ids."""
    before = rows_of(stack.db_path, victim["sender"])
    ids = [
        victim["token"],
        victim["sender"],
        victim["session"],
        f"web:{victim['session']}",
        "tg:424242",
        "424242",
    ]
    leaked = 0
    for sender in ids:
        status, body = stack.post_raw({"sender": sender, "message": "samenvatting"})
        if status == 200 and VICTIM_RESULT in body:
            leaked += 1
    wrote = rows_of(stack.db_path, victim["sender"]) - before
    chat = rows_of(stack.db_path, "tg:424242")
    return Row(
        "read another conversation over REST (web: and tg: ids)",
        len(ids),
        len(ids) - leaked,
        f"{leaked} summaries; {wrote} rows written into the victim's, {chat} into tg:",
    )


def socket_eavesdrop(stack: Stack, victim: Dict[str, Any]) -> Row:
    """Forged and unsigned ids on socket.io while the victim reads the summary."""
    attempts = forged_ids(victim)
    attempts["no session at all"] = None

    async def run() -> Tuple[Dict[str, str], Dict[str, str], str]:
        forgers: Dict[str, Person] = {}
        answers: Dict[str, str] = {}
        try:
            for name, forged in attempts.items():
                person = Person(stack.base_url)
                await person.connect()
                forgers[name] = person
                if forged is not None:
                    await person.request(forged)
                    answers[name] = joined(await person.say("samenvatting", quiet=2))
                else:  # no session_request: a message naming the victim's session
                    await person.client.emit(
                        "user_uttered",
                        {"message": "samenvatting", "session_id": victim["session"]},
                    )
            owner = Person(stack.base_url)
            await owner.connect()
            try:
                await owner.request(victim["session"])
                own = joined(await owner.say("samenvatting", quiet=2))
                await asyncio.sleep(1.0)
            finally:
                await owner.close()
        finally:
            for person in forgers.values():
                await person.close()
        heard = {name: joined(p.received) for name, p in forgers.items()}
        return answers, heard, own

    answers, heard, own = asyncio.run(asyncio.wait_for(run(), 180))
    leaked = [
        name
        for name in attempts
        if VICTIM_RESULT in answers.get(name, "") or VICTIM_RESULT in heard[name]
    ]
    owner_ok = "yes" if VICTIM_RESULT in own else "NO"
    return Row(
        "eavesdrop over socket.io with forged/unsigned session ids",
        len(attempts),
        len(attempts) - len(leaked),
        f"{len(leaked)} heard the victim's summary (owner still reads it: {owner_ok})",
    )


SLASH_VARIANTS = [
    "/ /confirm_delete_data",
    "//confirm_delete_data",
    " / / /confirm_delete_data",
    "/\t/confirm_delete_data",
    "\u200b/confirm_delete_data",
    "\ufeff/confirm_delete_data",
    "\u202e/confirm_delete_data",
    "\u2060/ /confirm_delete_data",
    "\uff0fconfirm_delete_data",
    "\x00/confirm_delete_data",
    "/ /restart",
    '/ /intent{"relationship_context": "partner"}',
]


def slash_variants(stack: Stack) -> Row:
    """Typed commands in disguise: nothing is deleted, nothing restarted."""
    deleted = restarted = 0
    for variant in SLASH_VARIANTS:
        marker = f"kompas{uuid.uuid4().hex[:10]}"
        sender = f"slash-{uuid.uuid4().hex[:8]}"
        stack.post(sender, "hoi")
        stack.post(sender, f"ik denk veel na over {marker}")
        stored = rows_with(stack.db_path, marker)
        stack.post_raw({"sender": sender, "message": variant})
        if rows_with(stack.db_path, marker) < stored:
            deleted += 1
        if restarts_of(stack.db_path, rest_sender_id(sender)):
            restarted += 1
    broke = deleted + restarted
    return Row(
        "typed '/ /confirm_delete_data', '/ /restart', invisible characters",
        len(SLASH_VARIANTS),
        len(SLASH_VARIANTS) - broke,
        f"{deleted} conversations deleted, {restarted} restarted",
    )


def raw_post(stack: Stack, body: bytes, timeout: float = 60) -> int:
    """POST raw bytes as JSON; the status (0 when the connection broke)."""
    try:
        return stack.post_raw(body, timeout)[0]
    except OSError:
        return 0


def big_bodies(stack: Stack) -> Row:
    """1 MB, 200 KB crisis-looking, and 60 KB crisis-looking; health timed."""
    crisis_words = "ik wil dood pillen mes springen niet meer leven "
    bodies = {
        "1 MB": json.dumps({"sender": "big-1", "message": "x" * 1_000_000}),
        "200 KB crisis words": json.dumps(
            {"sender": "big-2", "message": (crisis_words * 5000)[:200_000]}
        ),
        "60 KB crisis words": json.dumps(
            {"sender": "big-3", "message": (crisis_words * 2000)[:60_000]}
        ),
    }
    statuses: Dict[str, int] = {}
    worst = 0.0
    for name, body in bodies.items():
        status, seconds = while_timing_health(
            stack, lambda b=body: raw_post(stack, b.encode())
        )
        statuses[name] = int(status or 0)
        worst = max(worst, seconds)
    refused = sum(1 for s in statuses.values() if s == 413)
    answered = statuses["60 KB crisis words"] == 200
    return Row(
        "1 MB body, 200 KB crisis-looking message (and 60 KB under the cap)",
        len(bodies),
        refused + (1 if answered else 0),
        "none (" + ", ".join(f"{k}: {v}" for k, v in statuses.items()) + ")",
        f"health worst {worst:.2f} s (limit 1 s)",
    )


def metadata_stuffing(stack: Stack) -> Row:
    """Send 30 KB of metadata with a marker; report whether any of it is stored."""
    marker = f"ballast{uuid.uuid4().hex[:10]}"
    sender = f"meta-{uuid.uuid4().hex[:8]}"
    payload = {
        "sender": sender,
        "message": "hoi",
        "metadata": {"hw_segment_copy": True, "stuff": marker + "x" * 30_000},
    }
    status, _ = stack.post_raw(payload)
    stored = rows_with(stack.db_path, marker)
    return Row(
        "metadata stuffing (30 KB, a key the store reads)",
        1,
        1 if status == 200 and stored == 0 else 0,
        f"{stored} rows hold it",
    )


def flood(stack: Stack) -> Row:
    """200 messages into one conversation at once; its owner's crisis message, timed."""
    sender = f"flood-{uuid.uuid4().hex[:8]}"
    stack.post(sender, "hoi")
    statuses: List[int] = []
    crisis: Dict[str, Any] = {}

    def attacker(_: int) -> int:
        return stack.post_raw({"sender": sender, "message": "hoi"}, 60)[0]

    def owner() -> None:
        time.sleep(0.5)
        started = time.monotonic()
        status, body = stack.post_raw({"sender": sender, "message": CRISIS}, 60)
        crisis["seconds"] = time.monotonic() - started
        crisis["help"] = status == 200 and HELPLINE in body

    thread = threading.Thread(target=owner)
    thread.start()
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(attacker, range(200)))
    thread.join(60)
    refused = statuses.count(429)
    help_ok = crisis.get("help") and crisis.get("seconds", 99) < 2.0
    return Row(
        "flood one conversation (200 at once) + owner's crisis message",
        len(statuses),
        refused,
        "none" if help_ok else "CRISIS REPLY LATE OR MISSING",
        f"help lines in {crisis.get('seconds', 99):.2f} s (limit 2 s); "
        f"{statuses.count(200)} processed",
    )


def failed_delete(stack: Stack) -> Row:
    """The database refuses the delete: told plainly, nothing half done."""
    marker = f"vuurtoren{uuid.uuid4().hex[:10]}"
    sender = f"refuse-{uuid.uuid4().hex[:8]}"
    talk_and_ask_to_delete(stack, sender, marker)
    stored = rows_of(stack.db_path, rest_sender_id(sender))
    with refusing_deletes(stack.db_path):
        status, body = stack.post_raw(
            {"sender": sender, "message": "/confirm_delete_data"}
        )
    told = status == 200 and domain_text("utter_data_delete_failed") in joined(
        json.loads(body)
    )
    # The turn itself is stored (the person's "ja" and the answer): nothing less.
    kept = rows_of(stack.db_path, rest_sender_id(sender)) >= stored
    return Row(
        "delete while the database refuses it",
        1,
        1 if told and kept else 0,
        "told, every row kept" if told and kept else f"told={told} kept={kept}",
    )


def wal_remnant(stack: Stack) -> Row:
    """A marker word, delete, then look for it in every SQLite file."""
    marker = f"zeppelin{uuid.uuid4().hex[:10]}"
    sender = f"wipe-{uuid.uuid4().hex[:8]}"
    talk_and_ask_to_delete(stack, sender, marker)
    before = marker.encode() in database_bytes(stack.db_path)
    said = joined(stack.post(sender, "/confirm_delete_data"))
    after = database_bytes(stack.db_path).count(marker.encode())
    files = ", ".join(p.name for p in sorted(stack.db_path.parent.glob("*.db*")))
    ok = before and after == 0 and domain_text("utter_data_deleted") in said
    return Row(
        "deleted text left in the SQLite files (WAL remnant)",
        1,
        1 if ok else 0,
        f"{after} copies of the marker in {files}",
    )


def resurrection() -> Row:
    """Two servers on PostgreSQL and Redis: performed by its own test."""
    return Row(
        "scale-out resurrection race (2 servers, PostgreSQL, Redis)",
        0,
        0,
        "see tests/test_deletion_scale_out.py::"
        "test_a_slow_turn_on_another_server_does_not_bring_it_back",
    )


# ------------------------------------------------------------------ main
def print_table(rows: List[Row]) -> None:
    """The table as markdown."""
    print("| attack | attempted | blocked | data lost | measured |")
    print("| --- | ---: | ---: | --- | --- |")
    for row in rows:
        print(
            f"| {row.attack} | {row.attempted} | {row.blocked} | {row.lost} "
            f"| {row.measured} |"
        )


def main() -> int:
    """Start the bot, run every attack, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", type=Path, help="model (default: the newest)")
    args = parser.parse_args()
    model = args.model or max(
        (ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime
    )
    socket.setdefaulttimeout(60)
    timer = threading.Timer(RUN_SECONDS, lambda: _give_up())
    timer.daemon = True
    timer.start()
    with tempfile.TemporaryDirectory(prefix="hw-attacks-") as tmp:
        stack = start_stack(model, Path(tmp), DEFAULT_LIMITS)
        _running.append(stack)
        try:
            victim = web_victim(stack)
            rows = [rest_reading(stack, victim), socket_eavesdrop(stack, victim)]
            for attack in (
                slash_variants,
                big_bodies,
                metadata_stuffing,
                failed_delete,
                wal_remnant,
                flood,
            ):
                time.sleep(2)  # let the address bucket refill a little
                rows.append(attack(stack))
            rows.append(resurrection())
        finally:
            stack.stop()
    timer.cancel()
    print()
    print(f"Rate limits: defaults (refused text: {limit_text()[:40]}...)")
    print_table(rows)
    return 0


_running: List[Stack] = []


def _give_up() -> None:
    """Stop the bot and the run when it takes longer than ``RUN_SECONDS``."""
    print(f"attacks.py: gave up after {RUN_SECONDS} s", file=sys.stderr)
    for stack in _running:
        stack.stop()
    import os

    os._exit(2)


if __name__ == "__main__":
    sys.exit(main())
