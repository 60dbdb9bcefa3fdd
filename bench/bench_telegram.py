"""Print how fast the Telegram channel accepts updates and how long replies take.

Runs the channel's real routes with the scripted stand-in bot of the tests and the
fake Bot API server (all on 127.0.0.1; no model, no internet). The bot is made slow
(``--think`` seconds per message, like NLU + actions) to show that Telegram gets its
200 without waiting for the bot.

Run from the project root: .venv/bin/python bench/bench_telegram.py
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.channels.telegram import (  # noqa: E402
    TelegramInput,
    split_for_telegram,
    to_telegram_html,
)
from testsupport.fake_telegram import FakeTelegram, text_update  # noqa: E402
from testsupport.telegram_harness import ChannelServer, ScriptedBot  # noqa: E402

SECRET = "bench-secret"


class SlowBot(ScriptedBot):
    """The scripted bot, thinking ``delay`` seconds before each answer."""

    delay = 0.2

    async def __call__(self, message: Any) -> None:
        """Wait, then answer like the scripted bot."""
        await asyncio.sleep(self.delay)
        await super().__call__(message)


def percentile(values: List[float], share: float) -> float:
    """The ``share`` percentile of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Post updates from several chats and print accept and reply figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.2)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    fake = FakeTelegram().start()
    channel = TelegramInput.from_credentials(
        {"access_token": fake.token, "secret_token": SECRET, "api_base_url": fake.url}
    )
    assert isinstance(channel, TelegramInput)
    server = ChannelServer(channel)
    SlowBot.delay = args.think
    server.bot = SlowBot(server.agent)
    server.start()
    fake.wait_for_call("setMyCommands")
    fake.clear_calls()

    accept: List[float] = []
    started = time.perf_counter()
    for i in range(args.updates):
        update = text_update(1 + i, 100 + i % args.chats, f"bericht {i}")
        t0 = time.perf_counter()
        status = server.post(update, SECRET, drain=False)
        accept.append(time.perf_counter() - t0)
        assert status == 200
    posted = time.perf_counter() - started
    fake.wait_for_call("sendMessage", count=args.updates, timeout=600)
    total = time.perf_counter() - started
    server.stop()
    fake.stop()

    print(
        f"updates: {args.updates} from {args.chats} chats, bot thinks {args.think:.2f} s each"
    )
    print(
        f"webhook answered (200) in: median {statistics.median(accept) * 1000:.1f} ms, "
        f"p95 {percentile(accept, 0.95) * 1000:.1f} ms, max {max(accept) * 1000:.1f} ms"
    )
    print(f"all updates posted in {posted:.2f} s; all replies sent after {total:.2f} s")
    serial = args.updates * args.think
    print(f"(one chat at a time would need at least {serial:.1f} s of bot time)")

    text = ("Een zin met **vet**, <tekens> & _cursief_. " * 40 + "\n") * 30
    rounds = 50
    t0 = time.perf_counter()
    for _ in range(rounds):
        parts = split_for_telegram(text)
    split_ms = (time.perf_counter() - t0) / rounds * 1000
    t0 = time.perf_counter()
    for _ in range(rounds):
        to_telegram_html(text)
    html_ms = (time.perf_counter() - t0) / rounds * 1000
    print(
        f"format {len(text)} characters: {html_ms:.2f} ms; "
        f"split into {len(parts)} parts: {split_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
