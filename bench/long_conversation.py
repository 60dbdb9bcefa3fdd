"""Reply latency as one conversation grows to 600 turns (and more).

Run from the project root::

    .venv/bin/python bench/long_conversation.py [--turns 600] [--stock] [--no-segments]

One person talks to the bot for ``--turns`` messages in a row: visits, the
questions by buttons, questions in between, again and again. Rasa loads, replays
and featurizes the whole session on every message, so without care a long
conversation slows down. Prints the median reply time over turns 1-20, 190-210
and the last 20, and their ratio. ``--no-segments`` switches conversation
segments off (``HW_SEGMENT_EVENTS=0``) to show what they do; ``--stock`` runs the
stock ``rasa init`` bot too, for comparison.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    Bot,
    Reply,
    hechtwijzer_script,
    median_ms,
    post,
    scratch_dir,
    start_hechtwijzer,
    start_stock,
    stock_project,
    stock_script,
)

from bot.launcher.train import train  # noqa: E402


def looping_visit(turn: int, last: Reply) -> Optional[str]:
    """Hechtwijzer visits one after another (each about 45 messages)."""
    return hechtwijzer_script(turn % 45, last)


def talk(bot: Bot, script, turns: int) -> List[float]:  # type: ignore[no-untyped-def]
    """One conversation of ``turns`` messages; the reply time of each."""
    times: List[float] = []
    last: Reply = []
    sender = f"long-{time.time_ns()}"
    for turn in range(turns):
        message = script(turn, last) or "hoi"
        started = time.perf_counter()
        last = post(bot.base, sender, message, timeout=120)
        times.append(time.perf_counter() - started)
    return times


def windows(times: List[float]) -> Dict[str, float]:
    """Median ms over turns 1-20, 190-210 and the last 20."""
    return {
        "turns 1-20": median_ms(times[:20]),
        "turns 190-210": median_ms(times[189:210]),
        f"turns {len(times) - 19}-{len(times)}": median_ms(times[-20:]),
    }


def report(name: str, times: List[float]) -> None:
    """Print the windows and the ratio last/first."""
    figures = windows(times)
    first, last = list(figures.values())[0], list(figures.values())[-1]
    described = "  ".join(f"{k}: {v:6.1f} ms" for k, v in figures.items())
    print(f"{name:28} {described}  last/first {last / first:4.2f}x", flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the long conversation(s) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--stock", action="store_true")
    parser.add_argument("--no-segments", action="store_true")
    args = parser.parse_args(argv)
    model = args.model or train()
    variants = [("Hechtwijzer (segments on)", {})]
    if args.no_segments:
        variants.append(("Hechtwijzer (segments off)", {"HW_SEGMENT_EVENTS": "0"}))
    for name, extra in variants:
        bot = start_hechtwijzer(model, scratch_dir("long"), extra)
        try:
            report(name, talk(bot, looping_visit, args.turns))
        finally:
            bot.stop()
    if args.stock:
        bot = start_stock(stock_project(), scratch_dir("long-stock"))
        try:
            report("stock rasa init bot", talk(bot, stock_script, args.turns))
        finally:
            bot.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
