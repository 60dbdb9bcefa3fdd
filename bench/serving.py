"""Reply latency, throughput, start-up and memory: Hechtwijzer against a stock Rasa bot.

Run from the project root (takes about 10 minutes; the machine should be idle)::

    .venv/bin/python bench/serving.py [--model models/x.tar.gz] [--levels 1,10,50]

Both bots run one Rasa server on this machine, one after the other, over the REST
channel; the load generator runs closed-loop conversations (each virtual user
sends its next message when the reply arrived) on the same machine. The stock bot
is ``rasa init`` (Rasa 3.6.21, its default config), trained once and cached in
``.hechtwijzer/bench/``. Hechtwijzer runs as ``./hw run`` does: action server,
SQLite tracker store, all channels. Conversations:

* ``stock``: the stock bot's own moods loop (hello / sad / yes / bot? / great / bye);
* ``visit``: a realistic Hechtwijzer visit -- greeting, a question, the 16
  questions by buttons with a question in between, the result, follow-ups;
* ``questions``: Hechtwijzer questions only (no questionnaire).

Prints a table (ms, msg/s) and the speed targets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    Bot,
    LoadResult,
    Script,
    faq_script,
    hechtwijzer_script,
    run_load,
    scratch_dir,
    start_hechtwijzer,
    start_stock,
    stock_project,
    stock_script,
)

from bot.launcher.train import train  # noqa: E402


def measure(
    bot: Bot, scripts: Dict[str, Script], levels: List[int], per_user: int
) -> Dict[str, Dict[int, LoadResult]]:
    """Warm up, then run every script at every concurrency level."""
    results: Dict[str, Dict[int, LoadResult]] = {}
    for name, script in scripts.items():
        run_load(bot.base, script, 2, 40, prefix=f"warm-{name}")
        results[name] = {}
        for users in levels:
            messages = max(150, users * per_user)
            result = run_load(
                bot.base, script, users, messages, prefix=f"{name}-{users}"
            )
            results[name][users] = result
            print(
                f"  {bot.name:12} {name:10} {users:3} users  {result.row()}", flush=True
            )
    return results


def main(argv: Optional[List[str]] = None) -> int:
    """Run both bots and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--per-user", type=int, default=8, help="messages per user")
    parser.add_argument("--skip-stock", action="store_true")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    figures: Dict[str, Dict[str, float]] = {}
    results: Dict[str, Dict[str, Dict[int, LoadResult]]] = {}

    if not args.skip_stock:
        project = stock_project()
        train_file = project / "train_seconds.txt"
        bot = start_stock(project, scratch_dir("stock"))
        print(f"stock rasa init bot ready in {bot.ready_s:.1f} s", flush=True)
        try:
            results["stock"] = measure(
                bot, {"stock": stock_script}, levels, args.per_user
            )
            figures["stock"] = {
                "ready_s": bot.ready_s,
                "rss_rasa": bot.rss()["rasa"],
                "train_s": float(train_file.read_text()) if train_file.exists() else 0,
                "model_mb": max(
                    p.stat().st_size for p in (project / "models").glob("*.tar.gz")
                )
                / 1e6,
            }
        finally:
            bot.stop()

    model = args.model or train()
    bot = start_hechtwijzer(model, scratch_dir("hw"))
    print(f"Hechtwijzer ready in {bot.ready_s:.1f} s ({model.name})", flush=True)
    try:
        results["hechtwijzer"] = measure(
            bot,
            {"visit": hechtwijzer_script, "questions": faq_script},
            levels,
            args.per_user,
        )
        rss = bot.rss()
        figures["hechtwijzer"] = {
            "ready_s": bot.ready_s,
            "rss_rasa": rss["rasa"],
            "rss_actions": rss["actions"],
            "model_mb": model.stat().st_size / 1e6,
        }
    finally:
        bot.stop()

    print()
    print("| bot | conversation | users | p50 ms | p95 ms | p99 ms | msg/s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for bot_name, by_script in results.items():
        for script_name, by_level in by_script.items():
            for users, result in by_level.items():
                print(
                    f"| {bot_name} | {script_name} | {users} | "
                    f"{result.percentile(50):.1f} | {result.percentile(95):.1f} | "
                    f"{result.percentile(99):.1f} | {result.rate:.1f} |"
                )
    print()
    for bot_name, values in figures.items():
        described = ", ".join(f"{key} {value:.1f}" for key, value in values.items())
        print(f"{bot_name}: {described}")
    ours = results.get("hechtwijzer", {})
    stock = results.get("stock", {}).get("stock", {})
    if ours and 1 in ours.get("visit", {}):
        print(
            f"target p50 <= 30 ms one at a time: visit {ours['visit'][1].percentile(50):.1f} ms, "
            f"questions {ours['questions'][1].percentile(50):.1f} ms"
        )
    if stock and 10 in stock and 10 in ours.get("visit", {}):
        for name in ("visit", "questions"):
            ratio = ours[name][10].rate / stock[10].rate
            print(f"target >= 2x stock msg/s at 10 users: {name} {ratio:.2f}x")
    hw = figures["hechtwijzer"]
    print(
        f"target ready <= 15 s: {hw['ready_s']:.1f} s; "
        f"target <= 1.0 GB resident (Rasa server): {hw['rss_rasa'] / 1024:.2f} GB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
