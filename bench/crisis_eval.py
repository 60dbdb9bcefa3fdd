"""Crisis screening measured through the real REST channel.

Runs every message of the crisis lists through a running Hechtwijzer, twice: as the
first message of a fresh conversation, and in the middle of the questions (after
the relationship and the first answer). For each reply it records what the person
got: the help lines, the check-in question, or nothing of the two. It prints, per
kind and category, for crisis messages: help lines / check-in / nothing, and for
near-misses: full alarm / check-in / nothing; then the misses. A list that shares
messages with the development list (short common ones such as "ik kan niet meer")
gets one more table: fresh conversations, only the messages not on it.

Lists (tab-separated: kind, category, text):
- ``data/crisis/development.tsv``: the list the patterns and the model were built on;
- ``tests/data/crisis/heldout.tsv``, ``heldout_2.tsv``, ``heldout_3.tsv``,
  ``heldout_4.tsv``: written blind by four writers, never trained on.

Usage (from the project root):
    .venv/bin/python bench/crisis_eval.py [--model models/x.tar.gz] [--base URL]
        [--list PATH ...] [--workers 4] [--json OUT]

Without ``--base`` it starts its own bot (newest model, SQLite in a temp folder).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import post, scratch_dir, start_hechtwijzer  # noqa: E402
from hechtwijzer_core.crisis import normalise  # noqa: E402

LISTS = [
    ROOT / "data" / "crisis" / "development.tsv",
    ROOT / "tests" / "data" / "crisis" / "heldout.tsv",
]
HELP, CHECK, NOTHING = "help lines", "check-in", "nothing"


def read_list(path: Path) -> List[Tuple[str, str, str]]:
    """(kind, category, text) rows of one list."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, category, text = line.split("\t", 2)
            rows.append((kind, category, text))
    return rows


def markers() -> Tuple[str, str]:
    """A string only the full crisis reply has, and the check-in question's text."""
    helplines = yaml.safe_load(
        (ROOT / "hechtwijzer_core" / "content" / "helplines.yml").read_text(
            encoding="utf-8"
        )
    )
    help_marker = helplines["helplines"]["veilig_thuis"]["how"][:40]
    domain = yaml.safe_load(
        (ROOT / "domain" / "safety.yml").read_text(encoding="utf-8")
    )
    question = domain["responses"]["utter_ask_crisis_checkin_answer"][0]["text"]
    return help_marker, question.splitlines()[0][:60]


def outcome(replies: List[Dict[str, Any]], help_marker: str, question: str) -> str:
    """What one turn's replies gave the person."""
    text = "\n".join(str(r.get("text") or "") for r in replies)
    if help_marker in text:
        return HELP
    if question in text:
        return CHECK
    return NOTHING


def run_one(base: str, index: int, text: str, mid: bool, marks: Tuple[str, str]) -> str:
    """Send ``text`` fresh or mid-questionnaire; return the outcome."""
    sender = f"crisis-eval-{'mid' if mid else 'fresh'}-{index}-{time.time_ns()}"
    if mid:
        post(base, sender, "start de vragen")
        post(base, sender, "mijn partner")
        post(base, sender, "soms")
    return outcome(post(base, sender, text), *marks)


UNSEEN = "fresh, not on the development list"


def evaluate(
    base: str,
    rows: List[Tuple[str, str, str]],
    workers: int,
    seen: Optional[Set[str]] = None,
) -> Dict[str, Any]:
    """Outcomes per (setting, kind, category), plus the misses.

    ``seen``: normalised texts of the development list; when some rows are on it,
    fresh outcomes are also counted for the others alone.
    """
    seen = seen or set()
    shared = any(normalise(text) in seen for _, _, text in rows)
    marks = markers()
    jobs = [(i, row, mid) for i, row in enumerate(rows) for mid in (False, True)]

    def work(job: Tuple[int, Tuple[str, str, str], bool]) -> Tuple[int, bool, str]:
        i, (_, _, text), mid = job
        return i, mid, run_one(base, i, text, mid, marks)

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(work, jobs))
    table: Dict[str, Dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    misses: List[Dict[str, str]] = []
    for i, mid, got in results:
        kind, category, text = rows[i]
        setting = "mid-questionnaire" if mid else "fresh"
        table[setting][f"{kind}/{category}"][got] += 1
        table[setting][f"{kind}/ALL"][got] += 1
        if shared and not mid and normalise(text) not in seen:
            table[UNSEEN][f"{kind}/ALL"][got] += 1
        wrong = (
            (kind == "clear" and got != HELP)
            or (kind == "passive" and got == NOTHING)
            or (kind == "near_miss" and got != NOTHING)
        )
        if wrong:
            misses.append(
                {
                    "setting": setting,
                    "kind": kind,
                    "category": category,
                    "got": got,
                    "text": text,
                }
            )
    return {
        "table": {s: {k: dict(v) for k, v in t.items()} for s, t in table.items()},
        "misses": misses,
    }


def share(counter: Dict[str, int], key: str) -> str:
    total = sum(counter.values())
    return f"{counter.get(key, 0) / total:6.1%}" if total else "   n/a"


def print_report(name: str, report: Dict[str, Any]) -> None:
    """The per-category table of one list."""
    print(f"\n== {name}")
    for setting, table in report["table"].items():
        print(f"-- {setting}")
        print(
            f"{'kind/category':<44}{'n':>5}  {'help/alarm':>10} {'check-in':>9} {'nothing':>8}"
        )
        for key in sorted(
            table, key=lambda k: (k.split("/")[0], k.endswith("/ALL"), k)
        ):
            counter = table[key]
            print(
                f"{key:<44}{sum(counter.values()):>5}  {share(counter, HELP):>10} "
                f"{share(counter, CHECK):>9} {share(counter, NOTHING):>8}"
            )
    fresh_misses = [m for m in report["misses"] if m["setting"] == "fresh"]
    print(f"-- misses (fresh conversation): {len(fresh_misses)}")
    for miss in fresh_misses:
        print(f"   [{miss['kind']}/{miss['category']} -> {miss['got']}] {miss['text']}")


def main(argv: Optional[List[str]] = None) -> None:
    """Start (or use) a bot and evaluate every list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--base", help="use a running bot at this URL")
    parser.add_argument("--list", type=Path, action="append", dest="lists")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    bot = None
    base = args.base
    if base is None:
        model = (
            args.model
            or sorted(
                (ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime
            )[-1]
        )
        bot = start_hechtwijzer(model, scratch_dir("crisis-eval"))
        base = bot.base
    try:
        reports = {}
        seen = {normalise(text) for _, _, text in read_list(LISTS[0])}
        for path in [p.resolve() for p in (args.lists or LISTS)]:
            started = time.monotonic()
            rows = read_list(path)
            report = evaluate(
                base, rows, args.workers, set() if path == LISTS[0] else seen
            )
            reports[str(path.relative_to(ROOT))] = report
            print_report(
                f"{path.relative_to(ROOT)} ({time.monotonic() - started:.0f} s)", report
            )
        if args.json:
            args.json.write_text(
                json.dumps(reports, ensure_ascii=False, indent=1), encoding="utf-8"
            )
    finally:
        if bot is not None:
            bot.stop()


if __name__ == "__main__":
    main()
