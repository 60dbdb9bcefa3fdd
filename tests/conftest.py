"""Shared test fixtures.

- ``trained_model``: one model per test run (the launcher's ``train`` skips training when
  config, domain and data are unchanged, so a second run reuses it).
- ``stack``: a running action server + Rasa server with every channel, on free
  ports, with a SQLite tracker store in a temp folder and Telegram pointed at a
  fake Bot API server, shared by the run: tests only talk to it, none breaks it.
- ``disposable_stack``: a bot of one test's own, for fault injection, stopped
  afterwards whatever happened. ``testsupport.stack.start_stack`` builds others.
- ``dispatcher``, ``tracker`` (factory) and ``domain`` for action unit tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml

from testsupport import services
from testsupport.fake_telegram import FakeTelegram
from testsupport.stack import ROOT, TELEGRAM_SECRET, TELEGRAM_TOKEN, Stack, start_stack

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


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API server for the whole run."""
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
    }
    running = start_stack(trained_model, tmp_path_factory.mktemp("stack"), extra)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def disposable_stack(trained_model: Path, tmp_path: Path) -> Iterator[Stack]:
    """A bot of the test's own, for tests that break it on purpose.

    Fault injection (a server stopped, paused or restarted, a database that refuses
    to delete) happens here, never on the shared ``stack``: whatever the test leaves
    behind is stopped with it.
    """
    # short, so a stalled action server turns into the friendly message quickly
    running = start_stack(trained_model, tmp_path / "stack", {"HW_ACTION_TIMEOUT": "8"})
    try:
        yield running
    finally:
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
# The servers themselves are started by testsupport/services.py (also used by bench/).
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
