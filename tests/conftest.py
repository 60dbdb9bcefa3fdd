"""Shared test fixtures.

- ``trained_model``: one model per test run (the launcher's ``train`` skips training when
  config, domain and data are unchanged, so a second run reuses it).
- ``stack``: a running action server + Rasa server with every channel, on free
  ports, with a SQLite tracker store in a temp folder and Telegram pointed at a
  fake Bot API server. ``start_stack`` builds one for tests that need their own.
- ``dispatcher``, ``tracker`` (factory) and ``domain`` for action unit tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml

from tests import services
from tests.services import free_port, stack_env  # noqa: F401  (tests import them here)

ROOT = Path(__file__).resolve().parent.parent

# Channels built inside the test process (tests/bot/) share one rate limiter across
# many tests that talk fast from one chat: generous limits there too, also when the
# launcher (./hw test) passed the defaults. The servers the tests start get theirs
# from stack_env; tests/test_rate_limits.py sets the defaults itself.
for _name, _value in services.GENEROUS_LIMITS.items():
    os.environ[_name] = _value


@pytest.fixture(autouse=True)
def fresh_rate_limiter() -> Iterator[None]:
    """Each test starts with a fresh shared limiter built from the current settings.

    The limiter is cached per process; a test that changed the settings (or spent the
    buckets) would otherwise leave its limiter to every test after it.
    """
    from bot.channels import ratelimit

    ratelimit.shared_limiter.cache_clear()
    yield
    ratelimit.shared_limiter.cache_clear()


TELEGRAM_TOKEN = "123456:TEST-token_for-fake-telegram"
TELEGRAM_SECRET = "test-secret-token"


# ----------------------------------------------------------------- the real bot
@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current training data (trained at most once per run).

    ``HW_TEST_MODEL`` names an existing model instead (for quick local runs).
    """
    from bot.launcher.train import train

    if os.environ.get("HW_TEST_MODEL"):
        return Path(os.environ["HW_TEST_MODEL"])
    return train()


@dataclass
class Stack:
    """A running Hechtwijzer: action server + Rasa server."""

    model: Path
    workdir: Path
    env: Dict[str, str]
    rasa_port: int
    action_port: int
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def db_path(self) -> Path:
        """The SQLite tracker store file."""
        return self.workdir / "tracker.db"

    def log_path(self, name: str) -> Path:
        """Where a server's output goes."""
        return self.workdir / f"{name}.log"

    def _start(self, name: str) -> None:
        from bot.serving import server_commands

        cmd = server_commands(self.env, self.model)[name]
        log = self.log_path(name).open("ab")
        self.procs[name] = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start_actions(self) -> None:
        """Start the action server and wait until it answers."""
        self._start("actions")
        if not wait_for_url(
            f"http://127.0.0.1:{self.action_port}/health", 120, self.procs["actions"]
        ):
            raise RuntimeError(self.log_path("actions").read_text()[-3000:])

    def start_rasa(self) -> None:
        """Start the Rasa server and wait until the REST channel answers."""
        self._start("rasa")
        if not wait_for_url(f"{self.base_url}/webhooks/rest/", 300, self.procs["rasa"]):
            raise RuntimeError(self.log_path("rasa").read_text()[-5000:])

    def stop_process(self, name: str) -> None:
        """Stop one server (``actions`` or ``rasa``)."""
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        """Stop both servers."""
        for name in list(self.procs):
            self.stop_process(name)

    def post(
        self, sender: str, message: Any, timeout: float = 120
    ) -> List[Dict[str, Any]]:
        """Send one message through the REST channel; return the bot's replies."""
        status, body = self.post_raw({"sender": sender, "message": message}, timeout)
        assert status == 200, body
        return json.loads(body)

    def post_raw(self, payload: Any, timeout: float = 120) -> tuple[int, str]:
        """POST anything (dict as JSON, str/bytes as is) to the REST webhook."""
        data = (
            payload
            if isinstance(payload, bytes)
            else (
                payload.encode()
                if isinstance(payload, str)
                else json.dumps(payload).encode()
            )
        )
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=data,
            headers=self.rest_headers(),
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def rest_headers(self) -> Dict[str, str]:
        """Headers of a REST request (the token when this stack has one)."""
        headers = {"Content-Type": "application/json"}
        if self.env.get("HW_REST_TOKEN"):
            headers["Authorization"] = f"Bearer {self.env['HW_REST_TOKEN']}"
        return headers

    def texts(self, sender: str, message: Any) -> List[str]:
        """The reply texts for one message."""
        return [r.get("text", "") for r in self.post(sender, message) if r.get("text")]


def wait_for_url(
    url: str, timeout: float, proc: Optional[subprocess.Popen] = None
) -> bool:
    """Poll until ``url`` answers 200, the process dies or time runs out."""
    from bot.serving import wait_for

    return wait_for(url, timeout, proc)


def start_stack(
    model: Path, workdir: Path, extra_env: Optional[Dict[str, str]] = None
) -> Stack:
    """Start action server + Rasa server for ``model`` in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    env = stack_env(workdir, rasa_port, action_port, extra_env)
    stack = Stack(model, workdir, env, rasa_port, action_port)
    try:
        stack.start_actions()
        stack.start_rasa()
    except Exception:
        stack.stop()
        raise
    return stack


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[Any]:
    """A fake Telegram Bot API server for the whole run."""
    from tests.bot.fake_telegram import FakeTelegram

    fake = FakeTelegram(token=TELEGRAM_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def stack(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, fake_telegram: Any
) -> Iterator[Stack]:
    """The bot, running, shared by the whole test run."""
    extra = {
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_WEBHOOK_URL": "https://hechtwijzer.test/webhooks/telegram/webhook",
        "TELEGRAM_API_BASE_URL": fake_telegram.url,
        # short, so the hanging-action-server test does not wait 20 s
        "HW_ACTION_TIMEOUT": "8",
    }
    running = start_stack(trained_model, tmp_path_factory.mktemp("stack"), extra)
    yield running
    running.stop()


# ------------------------------------------------------------- action unit tests
@pytest.fixture
def domain() -> Dict[str, Any]:
    """The merged domain (all files under ``domain/``) as a dict."""
    merged: Dict[str, Any] = {
        "intents": [],
        "entities": [],
        "slots": {},
        "responses": {},
        "actions": [],
        "forms": {},
    }
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
    return merged


@pytest.fixture
def dispatcher() -> Any:
    """A collecting dispatcher; ``dispatcher.messages`` holds what was sent."""
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


@pytest.fixture
def tracker() -> Callable[..., Any]:
    """Factory: ``tracker(slots={...}, intent="faq", text="...", entities=[...])``."""
    from rasa_sdk import Tracker

    def make(
        slots: Optional[Dict[str, Any]] = None,
        intent: str = "",
        text: str = "",
        entities: Optional[List[Dict[str, Any]]] = None,
        events: Optional[List[Dict[str, Any]]] = None,
        latest_message: Optional[Dict[str, Any]] = None,
        active_loop: Optional[str] = None,
        sender_id: str = "test-user",
    ) -> Tracker:
        message = latest_message or {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        }
        return Tracker(
            sender_id,
            slots or {},
            message,
            events or [],
            False,
            None,
            {"name": active_loop} if active_loop else {},
            "action_listen",
        )

    return make


# ------------------------------------------------------- PostgreSQL and Redis
# The servers themselves are started by tests/services.py (also used by bench/).
@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL server on 127.0.0.1 (Debian's packages), for the run.

    ``HW_TEST_POSTGRES_URL`` points at an existing server instead.
    """
    if os.environ.get("HW_TEST_POSTGRES_URL"):
        yield os.environ["HW_TEST_POSTGRES_URL"]
        return
    try:
        with services.postgres() as url:
            yield url
    except services.ServiceMissing as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A throw-away Redis server on 127.0.0.1 (Debian's redis-server), for the run."""
    try:
        with services.redis_server(tmp_path_factory.mktemp("redis")) as port:
            yield port
    except services.ServiceMissing as missing:
        pytest.skip(str(missing))
