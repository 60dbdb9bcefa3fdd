"""Rate limits on the real bot, with the default settings (bot/settings.py).

Every other test stack runs with generous limits (tests/services.py); this module
starts its own bot with the defaults: a flood from one address or into one
conversation gets the kind Dutch text and is not processed, and a crisis message
from the same address, in the same conversation, still gets the help lines.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
import socketio

from bot import settings as defaults
from bot.channels.ratelimit import RateLimiter, RateSettings, limit_text
from bot.channels.telegram import SECRET_HEADER
from testsupport.fake_telegram import FakeTelegram, text_update
from testsupport.stack import TELEGRAM_SECRET, TELEGRAM_TOKEN, Stack, start_stack

CRISIS = "ik wil dood zo moe ben ik"
HELPLINE = "0800-0113"
DEFAULT_LIMITS = {
    "HW_RATE_PER_MINUTE": str(defaults.DEFAULT_RATE_PER_MINUTE),
    "HW_RATE_BURST": str(defaults.DEFAULT_RATE_BURST),
    "HW_RATE_ADDRESS_PER_MINUTE": str(defaults.DEFAULT_RATE_ADDRESS_PER_MINUTE),
    "HW_RATE_ADDRESS_BURST": str(defaults.DEFAULT_RATE_ADDRESS_BURST),
    "HW_QUEUE_PER_CONVERSATION": str(defaults.DEFAULT_QUEUE_PER_CONVERSATION),
}


# ------------------------------------------------------------- the limiter alone
class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        """Start at zero."""
        self.now = 0.0

    def __call__(self) -> float:
        """The current time."""
        return self.now


def test_buckets_refill_and_the_queue_is_capped() -> None:
    clock = Clock()
    limiter = RateLimiter(
        RateSettings(
            per_minute=60, burst=3, address_per_minute=60, address_burst=5, queue=2
        ),
        clock,
    )
    assert [limiter.try_admit("1.2.3.4", "a") for _ in range(4)] == [
        None,
        None,
        None,
        "conversation",
    ]
    assert limiter.try_admit("1.2.3.4", "b") is None
    assert limiter.try_admit("1.2.3.4", "c") is None
    assert limiter.try_admit("1.2.3.4", "d") == "address"
    clock.now += 1.0  # one token a second back in every bucket
    assert limiter.try_admit("1.2.3.4", "a") is None
    clock.now += 10.0
    with limiter.running("e"), limiter.running("e"):
        assert limiter.try_admit(None, "e") == "queue"
    assert limiter.try_admit(None, "e") is None


def test_settings_default_when_unset_or_nonsense(monkeypatch: Any) -> None:
    for name in DEFAULT_LIMITS:
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("HW_RATE_BURST", "veel")
    settings = RateSettings.from_environment()
    assert settings == RateSettings()
    assert settings.per_minute == defaults.DEFAULT_RATE_PER_MINUTE
    assert settings.queue == defaults.DEFAULT_QUEUE_PER_CONVERSATION


def test_the_text_is_dutch_content() -> None:
    assert "rustig aan" in limit_text()
    assert "ratelimit" not in limit_text()


# ------------------------------------------------------------ the running bot
@pytest.fixture(scope="module")
def limited(
    trained_model: Path,
    tmp_path_factory: pytest.TempPathFactory,
    fake_telegram: FakeTelegram,
) -> Iterator[Stack]:
    """The bot with the default rate limits, Telegram pointed at the fake Bot API."""
    extra = {
        **DEFAULT_LIMITS,
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_WEBHOOK_URL": "https://hechtwijzer.test/webhooks/telegram/webhook",
        "TELEGRAM_API_BASE_URL": fake_telegram.url,
    }
    running = start_stack(trained_model, tmp_path_factory.mktemp("limited"), extra)
    yield running
    running.stop()


def user_rows(stack: Stack, sender: str) -> int:
    """User messages stored for ``sender``."""
    with sqlite3.connect(stack.db_path) as db:
        return int(
            db.execute(
                "select count(*) from events where sender_id = ? and type_name = 'user'",
                (sender,),
            ).fetchone()[0]
        )


def flood(stack: Stack, senders: List[str], workers: int = 8) -> List[Tuple[int, Any]]:
    """POST "hoi" once for each sender (in parallel); statuses and parsed bodies."""

    def one(sender: str) -> Tuple[int, Any]:
        status, body = stack.post_raw({"sender": sender, "message": "hoi"}, 60)
        return status, json.loads(body)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, senders))


@pytest.mark.stack
def test_rest_flood_into_one_conversation_is_refused_but_a_crisis_gets_through(
    limited: Stack,
) -> None:
    sender = "flood-one"
    results = flood(limited, [sender] * 40)
    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 429}
    refused = [body for status, body in results if status == 429]
    assert refused, "the default limits let 40 parallel messages through"
    assert all(
        body == [{"recipient_id": f"rest:{sender}", "text": limit_text()}]
        for body in refused
    )
    # Nothing of a refused message was processed or stored.
    assert user_rows(limited, f"rest:{sender}") == statuses.count(200)
    # Still limited, and a crisis message in the same conversation gets through.
    assert limited.post_raw({"sender": sender, "message": "hoi"})[0] == 429
    started = time.monotonic()
    reply = " ".join(r.get("text", "") for r in limited.post(sender, CRISIS))
    assert HELPLINE in reply
    assert time.monotonic() - started < 5


@pytest.mark.stack
def test_rest_flood_from_one_address_is_refused_but_a_crisis_gets_through(
    limited: Stack,
) -> None:
    senders = [f"address-{i}" for i in range(defaults.DEFAULT_RATE_ADDRESS_BURST + 40)]
    started = time.monotonic()
    results = flood(limited, senders)
    elapsed = time.monotonic() - started
    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 429}
    # What the bucket can have let through: the burst plus what refilled meanwhile
    # (a loaded machine floods more slowly, so more refills).
    refilled = int(elapsed * defaults.DEFAULT_RATE_ADDRESS_PER_MINUTE / 60) + 1
    allowed = defaults.DEFAULT_RATE_ADDRESS_BURST + refilled
    assert statuses.count(200) <= allowed, (statuses.count(200), allowed, elapsed)
    assert statuses.count(429) >= 1
    assert all(
        body[0]["text"] == limit_text() for status, body in results if status == 429
    )
    # The address stays limited for new conversations too. The bucket refills five
    # tokens a second, so on a loaded machine one lone request can slip through; a
    # short burst right after the flood cannot.
    after = [
        status for status, _ in flood(limited, [f"address-new-{i}" for i in range(20)])
    ]
    assert after.count(429) >= 1, after
    reply = " ".join(r.get("text", "") for r in limited.post("address-crisis", CRISIS))
    assert HELPLINE in reply


async def socket_flood(url: str, count: int) -> Tuple[List[Dict[str, Any]], float]:
    """Send ``count`` messages at once, then a crisis; replies and the crisis's wait."""
    client = socketio.AsyncClient(reconnection=False)
    received: List[Dict[str, Any]] = []
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.put_nowait(sid))
    client.on("bot_uttered", lambda data: received.append(data))
    await client.connect(url, transports=["websocket"], headers={"Origin": url})
    try:
        await client.emit("session_request", {"session_id": None})
        await asyncio.wait_for(confirmed.get(), 10)
        for _ in range(count):
            await client.emit("user_uttered", {"message": "hoi"})
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await client.emit("user_uttered", {"message": CRISIS})
        while not any(HELPLINE in str(r.get("text", "")) for r in received):
            if time.monotonic() - started > 30:
                raise AssertionError(f"no help lines: {received}")
            await asyncio.sleep(0.05)
        return received, time.monotonic() - started
    finally:
        await client.disconnect()


@pytest.mark.stack
def test_socketio_flood_is_refused_but_a_crisis_gets_through(limited: Stack) -> None:
    received, waited = asyncio.run(socket_flood(limited.base_url, 40))
    assert any(r.get("text") == limit_text() for r in received)
    assert waited < 5


@pytest.mark.stack
def test_telegram_queued_updates_get_one_notice_and_a_crisis_is_answered(
    limited: Stack, fake_telegram: FakeTelegram
) -> None:
    chat_id = 770_001
    url = f"{limited.base_url}/webhooks/telegram/webhook"
    headers = {SECRET_HEADER: TELEGRAM_SECRET}

    def post(text: str) -> int:
        update = text_update(fake_telegram.next_update_id(), chat_id, text)
        return requests.post(url, json=update, headers=headers, timeout=90).status_code

    with ThreadPoolExecutor(30) as pool:
        floods = [pool.submit(post, "hoi") for _ in range(30)]
        time.sleep(0.3)
        crisis = pool.submit(post, CRISIS)
        assert all(f.result() == 200 for f in floods)
        assert crisis.result() == 200
    texts = [
        str(c.params.get("text", ""))
        for c in fake_telegram.calls_to("sendMessage", chat_id)
    ]
    assert texts.count(limit_text()) == 1, texts
    assert any(HELPLINE in text for text in texts)
