"""Shared parts of the serving benchmarks: start a bot, load it, read its memory.

Used by ``bench/serving.py`` (latency and throughput, Hechtwijzer against a stock
``rasa init`` bot) and ``bench/long_conversation.py``. Nothing here is timed by
tests; the scripts print figures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import serving  # noqa: E402
from testsupport import services  # noqa: E402
from testsupport.services import free_port  # noqa: E402

CACHE = ROOT / ".hechtwijzer" / "bench"
Reply = List[Dict[str, Any]]
# A conversation script: (turn number, last replies) -> next message, or None to end.
Script = Callable[[int, Reply], Optional[str]]


def post(base: str, sender: str, message: str, timeout: float = 60) -> Reply:
    """One message through the REST channel (blocking)."""
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        return list(json.loads(resp.read().decode()))


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
            pids.extend(int(c) for c in children.split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


@dataclass
class Bot:
    """A running bot: its processes, REST base URL and start-up figures."""

    name: str
    base: str
    procs: Dict[str, subprocess.Popen]
    ready_s: float = 0.0
    logs: List[Path] = field(default_factory=list)

    def rss(self) -> Dict[str, float]:
        """Resident MB per process (with its children)."""
        return {name: rss_mb(proc.pid) for name, proc in self.procs.items()}

    def stop(self) -> None:
        """Stop all processes."""
        serving.stop(self.procs.values())


def _wait_first_reply(base: str, proc: subprocess.Popen, timeout: float) -> bool:
    """Wait until the bot answers a real message (model loaded, channel up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            post(base, "bench-ready-probe", "hoi", timeout=10)
            return True
        except (urllib.error.URLError, OSError, ValueError):
            time.sleep(0.1)
    return False


def start_hechtwijzer(
    model: Path, workdir: Path, extra: Optional[Dict[str, str]] = None
) -> Bot:
    """Start action server + Rasa for Hechtwijzer; ready = first message answered."""
    workdir.mkdir(parents=True, exist_ok=True)
    port, action_port = free_port(), free_port()
    env = services.stack_env(workdir, port, action_port, extra)
    commands = serving.server_commands(env, model)
    logs = [workdir / "actions.log", workdir / "rasa.log"]
    start = time.monotonic()
    procs = {
        name: subprocess.Popen(
            commands[name],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for name, log in zip(("actions", "rasa"), logs, strict=False)
    }
    bot = Bot("hechtwijzer", f"http://127.0.0.1:{port}", procs, logs=logs)
    if not _wait_first_reply(bot.base, procs["rasa"], 600):
        bot.stop()
        raise RuntimeError(logs[1].read_text()[-3000:])
    bot.ready_s = time.monotonic() - start
    return bot


def stock_project() -> Path:
    """A stock ``rasa init`` project, trained once and cached under .hechtwijzer/."""
    project = CACHE / f"stock-rasa-{serving.rasa_version()}"
    if list((project / "models").glob("*.tar.gz")):
        return project
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True, exist_ok=True)
    print("[bench] training a stock `rasa init` bot (once) …", flush=True)
    started = time.monotonic()
    subprocess.run(
        [
            str(serving.VENV_BIN / "rasa"),
            "init",
            "--no-prompt",
            "--init-dir",
            str(project),
        ],
        check=True,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (project / "train_seconds.txt").write_text(f"{time.monotonic() - started:.1f}")
    return project


def start_stock(project: Path, workdir: Path) -> Bot:
    """Serve the stock bot with its defaults (in-memory tracker store)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    model = max((project / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    log = workdir / "stock.log"
    start = time.monotonic()
    proc = subprocess.Popen(
        [
            str(serving.VENV_BIN / "rasa"),
            "run",
            "--model",
            str(model),
            "--port",
            str(port),
        ],
        cwd=project,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2"),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    bot = Bot("stock", f"http://127.0.0.1:{port}", {"rasa": proc}, logs=[log])
    if not _wait_first_reply(bot.base, proc, 600):
        bot.stop()
        raise RuntimeError(log.read_text()[-3000:])
    bot.ready_s = time.monotonic() - start
    return bot


# ------------------------------------------------------------------ conversations
STOCK_LINES = [
    "hello",
    "I am feeling sad",
    "yes",
    "are you a bot?",
    "I am great",
    "goodbye",
]


def stock_script(turn: int, _last: Reply) -> Optional[str]:
    """The stock bot's own kind of conversation, in a loop."""
    return STOCK_LINES[turn % len(STOCK_LINES)]


def first_payload(replies: Reply, pick: int) -> Optional[str]:
    """The ``pick``-th button payload (wrapping) of the last reply with buttons."""
    for reply in reversed(replies):
        buttons = reply.get("buttons") or []
        if buttons:
            return str(buttons[pick % len(buttons)]["payload"])
    return None


def hechtwijzer_script(turn: int, last: Reply) -> Optional[str]:
    """A realistic visit: greet, ask, do the questions (with a question between), ask.

    Answers follow the buttons the bot really sent, so every turn is a valid one.
    """
    opening = ["hoi", "wat is hechting eigenlijk?", "ik wil de vragen doen"]
    if turn < len(opening):
        return opening[turn]
    if turn == 7:
        return "kan ik meerdere hechtingsstijlen hebben?"
    payload = first_payload(last, turn)
    if payload is not None and turn < 40:
        return payload
    closing = ["wat betekent verdiende veilige hechting?", "bedankt!", "doei"]
    index = turn - 40 if turn >= 40 else 0
    return closing[index % len(closing)]


def faq_script(turn: int, _last: Reply) -> Optional[str]:
    """Questions only (no action server calls): closest to the stock bot's turns."""
    lines = [
        "hoi",
        "wat is hechting?",
        "wat betekent angstig-vastklampend?",
        "hoe ontstaat een hechtingsstijl?",
        "kan ik meerdere hechtingsstijlen hebben?",
        "dank je wel",
    ]
    return lines[turn % len(lines)]


# ---------------------------------------------------------------------- load runs
@dataclass
class LoadResult:
    """Latencies (seconds) and wall time of one load run."""

    latencies: List[float]
    wall_s: float
    errors: int

    def percentile(self, q: float) -> float:
        """The q-th percentile latency in ms."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def rate(self) -> float:
        """Messages per second."""
        return len(self.latencies) / self.wall_s if self.wall_s else 0.0

    def row(self) -> str:
        """One line of figures."""
        return (
            f"p50 {self.percentile(50):7.1f} ms  p95 {self.percentile(95):7.1f} ms  "
            f"p99 {self.percentile(99):7.1f} ms  {self.rate:6.1f} msg/s  "
            f"({len(self.latencies)} msgs, {self.errors} errors)"
        )


async def _user(
    session: Any,
    base: str,
    script: Script,
    prefix: str,
    turns: int,
    budget: List[int],
    latencies: List[float],
    errors: List[int],
    counter: itertools.count[int],
) -> None:
    """One virtual user: conversations of ``turns`` messages until the budget is spent."""
    import aiohttp

    while budget[0] > 0:
        sender = f"{prefix}-{next(counter)}"
        last: Reply = []
        for turn in range(turns):
            if budget[0] <= 0:
                return
            message = script(turn, last)
            if message is None:
                break
            budget[0] -= 1
            started = time.perf_counter()
            try:
                async with session.post(
                    f"{base}/webhooks/rest/webhook",
                    json={"sender": sender, "message": message},
                    timeout=aiohttp.ClientTimeout(total=120),
                ) as resp:
                    body = await resp.json()
                    ok = resp.status == 200 and isinstance(body, list) and body
            except Exception:  # noqa: BLE001 - any failure counts as an error
                ok, body = False, []
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors[0] += 1
            last = body if isinstance(body, list) else []


async def _load(
    base: str, script: Script, users: int, messages: int, turns: int, prefix: str
) -> LoadResult:
    import aiohttp

    latencies: List[float] = []
    errors = [0]
    budget = [messages]
    counter = itertools.count()
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(
            *[
                _user(
                    session,
                    base,
                    script,
                    f"{prefix}-u{i}",
                    turns,
                    budget,
                    latencies,
                    errors,
                    counter,
                )
                for i in range(users)
            ]
        )
        wall = time.perf_counter() - started
    return LoadResult(latencies, wall, errors[0])


def run_load(
    base: str,
    script: Script,
    users: int,
    messages: int,
    turns: int = 45,
    prefix: str = "bench",
) -> LoadResult:
    """``users`` concurrent conversations (closed loop) until ``messages`` are sent."""
    return asyncio.run(_load(base, script, users, messages, turns, prefix))


def median_ms(values: Sequence[float]) -> float:
    """Median of seconds, in ms."""
    return statistics.median(values) * 1000 if values else float("nan")


def scratch_dir(name: str) -> Path:
    """A fresh temporary directory for one bot's files."""
    return Path(tempfile.mkdtemp(prefix=f"hw-bench-{name}-"))
