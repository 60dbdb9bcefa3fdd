"""Scale-out for real: nginx in front of two Rasa servers and two action servers.

``cluster`` starts PostgreSQL, Redis and nginx (``testsupport.services``; running ones
can be named instead), two action servers and two Rasa servers in the production
profile (``HW_PROFILE=production``: PostgreSQL tracker store, atomic Redis lock
store, action endpoint = nginx's action port). ``run_scenario`` then has N people
talk at the same time through nginx, each a full round of the questions: start, the
relationship, 16 answers (buttons and typed text), a knowledge question in the
middle, two messages sent at the same moment (they usually land on different
servers, and the lock store must put them one after the other) and the result.

Checks, per conversation:

- every message gets exactly one reply batch with the expected content: the
  question numbers go up by one per answer and stay put after a knowledge
  question; a question asked again is *duplicated*, a question never asked or a
  reply missing is *lost*, a question number that goes down is *out of order*;
- ``X-Upstream`` (added by nginx) names the Rasa server that answered: both
  servers must have served, and no request may have been sent to two servers;
- at the end, PostgreSQL's ``events`` table: the user events are the messages
  sent, in order, and the bot events are the texts received, in order (missing
  = lost, extra = duplicated, same events in another order = out of order).

``Report`` holds what was found and prints it. Used by ``bench/scale_out.py`` (the
command line) and ``tests/test_scale_out_lb.py``. ``UNSAFE_LOCKS`` runs the same
with a lock per server instead of the shared Redis one (what Rasa does with
``in_memory``): the simultaneous messages then race on two servers and PostgreSQL
loses events, which the report shows.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from bot import serving
from testsupport import services
from testsupport.replies import payloads

ROOT = Path(__file__).resolve().parent.parent

Reply = List[Dict[str, Any]]
PROGRESS = re.compile(r"^Vraag (\d+) van (\d+)$", re.MULTILINE)
QUESTIONS = 16
CONTEXT, RESULT = 0, QUESTIONS + 1  # "question numbers" of the context question, result
RASA_SERVERS = 2
ACTION_SERVERS = 2

# What the simulated people type (test inputs; the bot's language is Dutch).
START = "ik wil de vragen doen"
KNOWLEDGE = "kan ik meerdere hechtingsstijlen hebben?"
AT_ONCE = ("welke hechtingsstijlen zijn er?", "waarom vraag je dit?")
TYPED_CONTEXT = {
    "partner": "mijn partner",
    "family": "mijn moeder",
    "work": "mijn baas",
}
TYPED_ANSWERS = ("heel vaak", "bijna nooit", "soms", "meestal niet", "vaak", "zelden")
KNOWLEDGE_AT = 6  # the knowledge question comes while this question is asked
AT_ONCE_AT = 11  # the two simultaneous messages come while this one is asked
THINK_TIME = 0.03  # up to this many seconds before each message (varies the order)

SETUP = (
    "2 Rasa servers (production profile), 2 action servers,"
    " PostgreSQL tracker store, Redis lock store (AtomicRedisLockStore)"
)
# --unsafe-lock-store: each server locks only its own turns (what Rasa does without a
# shared lock store); the simultaneous messages then race and the trackers lose events.
SEGMENT_EVENTS = "60"
UNSAFE_LOCKS = {"HW_PROFILE": "embedded", "HW_LOCK_STORE": "in_memory"}
UNSAFE_SETUP = (
    "2 Rasa servers WITHOUT a shared lock store (in_memory), 2 action servers,"
    " PostgreSQL tracker store"
)


# ---------------------------------------------------------------- the servers
@dataclass
class Cluster:
    """The running servers: nginx in front, PostgreSQL behind."""

    workdir: Path
    db_url: str
    lb: services.Nginx
    rasa: Dict[str, str]  # "127.0.0.1:port" -> server name
    actions: Dict[str, str]


def server_env(
    workdir: Path,
    rasa_port: int,
    action_port: int,
    db_url: str,
    redis_port: int,
    action_endpoint: str,
    extra: Optional[Dict[str, str]] = None,
) -> Dict[str, str]:
    """Environment of one server in the production profile (never the .env's HW_)."""
    production = {
        "HW_PROFILE": "production",
        "HW_HOST": "127.0.0.1",
        "HW_ACTION_ENDPOINT": action_endpoint,
        "HW_DB_DIALECT": "postgresql",
        "HW_DB_URL": db_url,
        "HW_LOCK_STORE": "bot.lock_store.AtomicRedisLockStore",
        "HW_REDIS_HOST": "127.0.0.1",
        "HW_REDIS_PORT": str(redis_port),
        # Small conversation segments, so every conversation starts new
        # segments on both servers during the run (bot/tracker_store.py).
        "HW_SEGMENT_EVENTS": SEGMENT_EVENTS,
        **(extra or {}),
    }
    return services.stack_env(workdir, rasa_port, action_port, production)


def _start(
    name: str, command: List[str], env: Dict[str, str], workdir: Path
) -> subprocess.Popen:
    with (workdir / f"{name}.log").open("ab") as log:  # the child keeps its copy
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def _wait_all(
    urls: Dict[str, str], procs: Dict[str, subprocess.Popen], workdir: Path
) -> None:
    """Wait until every server answers its URL; show the log of one that does not."""
    for name, url in urls.items():
        if not serving.wait_for(url, 600, procs[name]):
            log = (workdir / f"{name}.log").read_text(errors="replace")[-4000:]
            raise RuntimeError(f"{name} did not start:\n{log}")


@contextmanager
def cluster(
    model: Path,
    workdir: Path,
    extra_env: Optional[Dict[str, str]] = None,
    db_url: Optional[str] = None,
    redis_port: Optional[int] = None,
    say: Callable[[str], None] = print,
) -> Iterator[Cluster]:
    """Run nginx in front of 2 Rasa servers and 2 action servers.

    PostgreSQL and Redis are started too, unless ``db_url`` / ``redis_port``
    name running ones.
    """
    rasa_ports = [services.free_port() for _ in range(RASA_SERVERS)]
    action_ports = [services.free_port() for _ in range(ACTION_SERVERS)]
    procs: Dict[str, subprocess.Popen] = {}
    with ExitStack() as stack:
        db_url = db_url or stack.enter_context(services.postgres())
        redis_port = redis_port or stack.enter_context(
            services.redis_server(workdir / "redis")
        )
        lb = stack.enter_context(
            services.nginx(workdir / "nginx", rasa_ports, action_ports)
        )
        stack.callback(lambda: serving.stop(procs.values()))  # servers stop first
        say(f"PostgreSQL {db_url}, Redis :{redis_port}, nginx {lb.url}")
        urls: Dict[str, str] = {}
        for role, ports in (("actions", action_ports), ("rasa", rasa_ports)):
            for i, port in enumerate(ports):
                name = f"{role}-{i + 1}"
                rasa_port, action_port = (
                    (rasa_ports[0], port)
                    if role == "actions"
                    else (port, action_ports[0])
                )
                env = server_env(
                    workdir,
                    rasa_port,
                    action_port,
                    db_url,
                    redis_port,
                    lb.action_url,
                    extra_env,
                )
                procs[name] = _start(
                    name, serving.server_commands(env, model)[role], env, workdir
                )
                urls[name] = (
                    f"http://127.0.0.1:{port}/health"
                    if role == "actions"
                    else f"http://127.0.0.1:{port}/webhooks/rest/"
                )
        say(f"starting {', '.join(procs)} (logs in {workdir})")
        started = time.monotonic()
        _wait_all(urls, procs, workdir)
        say(f"all servers up in {time.monotonic() - started:.0f} s")
        yield Cluster(
            workdir,
            db_url,
            lb,
            {f"127.0.0.1:{p}": f"rasa-{i + 1}" for i, p in enumerate(rasa_ports)},
            {f"127.0.0.1:{p}": f"actions-{i + 1}" for i, p in enumerate(action_ports)},
        )


# ------------------------------------------------------------ the conversation
LOST, DUPLICATED, OUT_OF_ORDER = "lost", "duplicated", "out-of-order"


@dataclass
class Finding:
    """Something lost, duplicated or out of order, in the replies or the tracker."""

    kind: str  # LOST, DUPLICATED or OUT_OF_ORDER
    source: str  # "replies" or "tracker"
    detail: str


@dataclass
class Turn:
    """One message and what came back."""

    message: str
    kind: str  # "start", "answer", "knowledge", "at_once"
    replies: Optional[Reply] = None
    upstream: str = ""
    latency: float = 0.0
    error: str = ""


@dataclass
class Conversation:
    """One scripted person."""

    sender: str
    turns: List[Turn] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)

    def found(self, kind: str, detail: str, source: str = "replies") -> None:
        """Note a finding."""
        self.findings.append(Finding(kind, source, f"{self.sender} {detail}"[:300]))


def post(
    base_url: str,
    sender: str,
    message: str,
    timeout: float = 300,
    instance: Optional[int] = None,
) -> Turn:
    """One message through nginx; the reply batch, the server that answered, time.

    ``instance`` pins the message to that Rasa server (``X-HW-Instance``).
    """
    turn = Turn(message, "")
    headers = {
        "Content-Type": "application/json",
        # the production profile opens the REST channel only with its token
        "Authorization": f"Bearer {services.TEST_REST_TOKEN}",
    }
    if instance is not None:
        headers["X-HW-Instance"] = str(instance)
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers=headers,
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            body = resp.read().decode()
            turn.upstream = resp.headers.get("X-Upstream", "")
        turn.replies = list(json.loads(body))
    except urllib.error.HTTPError as error:
        turn.upstream = error.headers.get("X-Upstream", "")
        turn.error = f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        turn.error = repr(error)
    turn.latency = time.perf_counter() - started
    return turn


def numbers(replies: Reply) -> List[int]:
    """The question numbers asked in a reply batch ("Vraag N van 16")."""
    return [
        int(m.group(1)) for r in replies for m in PROGRESS.finditer(r.get("text") or "")
    ]


def asked(replies: Reply) -> Optional[int]:
    """Which question a reply batch asks: 1..16, CONTEXT, or None."""
    found = numbers(replies)
    if found:
        return found[-1]
    if any('"question_id":"relationship_context"' in p for p in payloads(replies)):
        return CONTEXT
    return None


def answer_for(rng: random.Random, replies: Reply, question: int) -> str:
    """Press one of the shown answer buttons, or type an answer (about 1 in 3)."""
    if rng.random() < 0.34:
        if question == CONTEXT:
            return rng.choice(list(TYPED_CONTEXT.values()))
        return rng.choice(TYPED_ANSWERS)
    buttons = [p for p in payloads(replies) if '"question_id"' in p]
    if not buttons:
        raise LookupError("no answer buttons")
    return rng.choice(buttons)


def check_turn(conv: Conversation, turn: Turn, expected: int, before: int) -> int:
    """Compare a reply batch with the question expected; return the question asked.

    ``before`` is the question asked before this message, ``expected`` the one
    that should come now (the same one after a knowledge question; RESULT after
    the last answer).
    """
    where = f"{turn.kind} {turn.message!r}"
    if not turn.replies:
        conv.found(LOST, f"{where}: no reply ({turn.error or 'empty'})")
        return before
    found = numbers(turn.replies)
    if len(found) > 1:
        conv.found(DUPLICATED, f"{where}: {len(found)} questions in one reply {found}")
    now = asked(turn.replies)
    if expected == RESULT:
        if now is not None:
            conv.found(DUPLICATED, f"{where}: question {now} again, not the result")
            return now
        # A result is its texts and follow-ups; a result without a style (mixed
        # answers) may be one message, with its follow-up buttons under it.
        if len(turn.replies) < 2 and not payloads(turn.replies):
            conv.found(LOST, f"{where}: no result in {turn.replies}")
        return RESULT
    if now is None:
        conv.found(LOST, f"{where}: no question (expected {expected})")
        return before
    if now > expected:
        conv.found(LOST, f"{where}: question {now}, expected {expected} (skipped)")
    elif now < before:
        conv.found(OUT_OF_ORDER, f"{where}: question {now} after {before}")
    elif now < expected:
        conv.found(DUPLICATED, f"{where}: question {now} again, expected {expected}")
    if turn.kind in ("knowledge", "at_once") and len(turn.replies) < 2:
        conv.found(LOST, f"{where}: no answer before the question")
    return now


def converse(
    base_url: str, index: int, seed: int, barrier: threading.Barrier
) -> Conversation:
    """One full round of the questions through nginx, checked turn by turn."""
    rng = random.Random(seed * 1000 + index)
    conv = Conversation(f"scale-{seed}-{index:03d}")

    sent = itertools.count(index)

    def send(message: str, kind: str) -> Turn:
        # Every next message of this person on the other Rasa server; the two sent
        # at the same moment go one to each server.
        instance = next(sent) % RASA_SERVERS
        time.sleep(rng.uniform(0, THINK_TIME))
        turn = post(base_url, conv.sender, message, instance=instance)
        turn.kind = kind
        conv.turns.append(turn)
        return turn

    barrier.wait()
    turn = send(START, "start")
    current = check_turn(conv, turn, CONTEXT, CONTEXT)
    kinds = {"start"}
    while current != RESULT and turn.replies:
        if current == KNOWLEDGE_AT and "knowledge" not in kinds:
            kinds.add("knowledge")
            turn = send(KNOWLEDGE, "knowledge")
            current = check_turn(conv, turn, current, current)
            continue
        if current == AT_ONCE_AT and "at_once" not in kinds:
            kinds.add("at_once")
            with ThreadPoolExecutor(max_workers=len(AT_ONCE)) as pool:
                pair = list(pool.map(lambda m: post(base_url, conv.sender, m), AT_ONCE))
            for one in pair:
                one.kind = "at_once"
                conv.turns.append(one)
                check_turn(conv, one, current, current)
            turn = pair[-1]
            continue
        try:
            message = answer_for(rng, turn.replies or [], current)
        except LookupError:
            conv.found(LOST, f"no answer buttons with question {current}")
            break
        expected = RESULT if current == QUESTIONS else current + 1
        turn = send(message, "answer")
        current = check_turn(conv, turn, expected, current)
        if len(conv.turns) > 3 * QUESTIONS:
            conv.found(LOST, f"no result after {len(conv.turns)} messages")
            break
    return conv


# ------------------------------------------------------------------ the store
Event = Tuple[str, Optional[str]]


def stored_events(db_url: str, senders: Sequence[str]) -> Dict[str, List[Event]]:
    """User and bot events per sender in stored order: ("user"|"bot", text).

    Copies that start a new conversation segment (bot/tracker_store.py) are skipped.
    """
    import psycopg2

    from bot.channels.identity import rest_sender_id
    from bot.tracker_store import is_segment_copy

    found: Dict[str, List[Event]] = {s: [] for s in senders}
    # the REST channel keeps a sender's conversation under rest:<sender>
    stored_as = {rest_sender_id(s): s for s in senders}
    with psycopg2.connect(db_url) as db, db.cursor() as cursor:
        cursor.execute(
            "select sender_id, type_name, data from events"
            " where sender_id = any(%s) and type_name in ('user', 'bot') order by id",
            (list(stored_as),),
        )
        for sender, type_name, data in cursor.fetchall():
            event = json.loads(data)
            if is_segment_copy(event):
                continue  # carried over into a new conversation segment, not new
            found[stored_as[sender]].append((type_name, event.get("text")))
    return found


def expected_events(conv: Conversation) -> List[List[Event]]:
    """The tracker one may find: one event list per order of the simultaneous pair."""
    blocks: List[List[Event]] = [
        [("user", t.message)] + [("bot", r.get("text")) for r in t.replies or []]
        for t in conv.turns
    ]
    pair = [i for i, t in enumerate(conv.turns) if t.kind == "at_once"]
    orders = [list(range(len(blocks)))]
    if len(pair) == 2:
        swapped = list(range(len(blocks)))
        swapped[pair[0]], swapped[pair[1]] = pair[1], pair[0]
        orders.append(swapped)
    return [[event for i in order for event in blocks[i]] for order in orders]


def check_store(conv: Conversation, stored: List[Event]) -> None:
    """Compare the tracker in PostgreSQL with what was sent and received."""
    options = expected_events(conv)
    if stored in options:
        return
    want = options[0]
    missing = Counter(want) - Counter(stored)
    extra = Counter(stored) - Counter(want)
    for event, count in missing.items():
        conv.found(LOST, f"{count}x not stored: {event}", "tracker")
    for event, count in extra.items():
        conv.found(DUPLICATED, f"{count}x stored too often: {event}", "tracker")
    if not missing and not extra:
        conv.found(OUT_OF_ORDER, "events stored in another order", "tracker")


# ----------------------------------------------------------------- the report
def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Report:
    """What the scenario found."""

    conversations: List[Conversation]
    servers: Dict[str, str]  # "127.0.0.1:port" -> "rasa-1"
    action_calls: Counter
    wall: float
    setup: str = SETUP

    @property
    def turns(self) -> List[Turn]:
        """Every message sent."""
        return [t for c in self.conversations for t in c.turns]

    def findings(self, kind: str, source: Optional[str] = None) -> List[Finding]:
        """The findings of one kind (and source)."""
        return [
            f
            for c in self.conversations
            for f in c.findings
            if f.kind == kind and source in (None, f.source)
        ]

    @property
    def per_server(self) -> Counter:
        """Messages answered per Rasa server (``X-Upstream``; a list if retried)."""
        return Counter(
            self.servers.get(t.upstream, t.upstream or "?") for t in self.turns
        )

    @property
    def conversations_on_both(self) -> int:
        """Conversations whose messages were answered by every Rasa server."""
        return sum(
            {t.upstream for t in c.turns} >= set(self.servers)
            for c in self.conversations
        )

    @property
    def switches(self) -> Tuple[int, int]:
        """(messages answered by another server than the message before, pairs)."""
        moved = total = 0
        for conv in self.conversations:
            for before, after in zip(conv.turns, conv.turns[1:], strict=False):
                total += 1
                moved += before.upstream != after.upstream
        return moved, total

    @property
    def ok(self) -> bool:
        """Nothing lost, duplicated or out of order; every server, and only they."""
        served = self.per_server
        return (
            not any(c.findings for c in self.conversations)
            and bool(self.conversations)
            and all(served[name] > 0 for name in self.servers.values())
            and set(served) <= set(self.servers.values())
        )

    def text(self) -> str:
        """The printed report."""
        turns = self.turns
        ms = [t.latency * 1000 for t in turns]
        moved, total = self.switches

        def count(kind: str) -> str:
            return (
                f"{len(self.findings(kind))} (replies {len(self.findings(kind, 'replies'))},"
                f" PostgreSQL trackers {len(self.findings(kind, 'tracker'))})"
            )

        lines = [
            f"Hechtwijzer scale-out through nginx: {self.setup}",
            f"conversations   {len(self.conversations)} at once"
            f" ({len(AT_ONCE)} messages sent simultaneously in each)",
            f"messages        {len(turns)}",
            f"reply batches   {sum(t.replies is not None for t in turns)}"
            f" ({sum(len(t.replies or []) for t in turns)} bot messages)",
            f"lost            {count(LOST)}",
            f"duplicated      {count(DUPLICATED)}",
            f"out-of-order    {count(OUT_OF_ORDER)}",
            "per Rasa server "
            + ", ".join(f"{n} {c}" for n, c in sorted(self.per_server.items()))
            + f"; conversations served by both {self.conversations_on_both}"
            f"/{len(self.conversations)}; next message on the other server"
            f" {moved}/{total}",
            "action calls    "
            + ", ".join(f"{n} {c}" for n, c in sorted(self.action_calls.items())),
            f"latency (ms)    p50 {percentile(ms, 0.5):.0f}, p95 {percentile(ms, 0.95):.0f},"
            f" p99 {percentile(ms, 0.99):.0f}, max {max(ms, default=0):.0f}"
            " (through nginx)",
            f"wall time       {self.wall:.1f} s",
            f"messages/s      {len(turns) / self.wall if self.wall else 0:.1f}",
        ]
        for conv in self.conversations:
            lines += [
                f"  {f.kind.upper()} ({f.source}): {f.detail}" for f in conv.findings
            ]
        lines.append("result          " + ("OK" if self.ok else "FAILED"))
        return "\n".join(lines)


def action_calls(lb: services.Nginx, names: Dict[str, str]) -> Counter:
    """Action server calls per action server, from nginx's access log."""
    counts: Counter = Counter()
    if lb.action_access_log.exists():
        for line in lb.action_access_log.read_text().splitlines():
            found = re.search(r"upstream=(\S+)", line)
            if found:
                counts[names.get(found.group(1), found.group(1))] += 1
    return counts


def run_conversations(
    found: Cluster, conversations: int, seed: int, setup: str = SETUP
) -> Report:
    """N conversations at once through nginx, then the check against PostgreSQL."""
    barrier = threading.Barrier(conversations)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        convs = list(
            pool.map(
                lambda i: converse(found.lb.url, i, seed, barrier), range(conversations)
            )
        )
    wall = time.monotonic() - started
    stored = stored_events(found.db_url, [c.sender for c in convs])
    for conv in convs:
        check_store(conv, stored[conv.sender])
    calls = action_calls(found.lb, found.actions)
    return Report(convs, found.rasa, calls, wall, setup)


def run_scenario(
    model: Path,
    conversations: int = 20,
    workdir: Optional[Path] = None,
    extra_env: Optional[Dict[str, str]] = None,
    db_url: Optional[str] = None,
    redis_port: Optional[int] = None,
    seed: int = 1,
    say: Callable[[str], None] = print,
) -> Report:
    """Start everything, run the conversations, stop everything; the report.

    ``workdir`` keeps the logs (default: a temp folder, deleted afterwards);
    ``db_url`` / ``redis_port`` use running servers instead of new ones.
    """
    owned = workdir is None
    folder = workdir or Path(tempfile.mkdtemp(prefix="hw-scale-out-"))
    try:
        with cluster(model, folder, extra_env, db_url, redis_port, say) as found:
            setup = UNSAFE_SETUP if extra_env == UNSAFE_LOCKS else SETUP
            return run_conversations(found, conversations, seed, setup)
    finally:
        if owned:
            shutil.rmtree(folder, ignore_errors=True)
