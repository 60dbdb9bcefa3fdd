"""Print how fast the crisis detector is (ordinary, long and very long messages).

Long texts are timed without a budget, to show the full cost of reading them; the
channel guard reads them off the event loop with ``HW_CRISIS_BUDGET`` (default 1 s).

Usage: .venv/bin/python bench/crisis_detector.py
"""

from __future__ import annotations

import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hechtwijzer_core import crisis  # noqa: E402
from hechtwijzer_core.crisis_model import read_development_list  # noqa: E402

TEXTS = [text for _, _, text in read_development_list()]


def timed(text: str, repeat: int = 5) -> float:
    """Median milliseconds for one detection of ``text`` (fresh matcher each time)."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        crisis.detect(text, budget=60)  # no budget: the full cost of reading it all
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    """Load once, then time the lists and long inputs."""
    started = time.perf_counter()
    crisis.detect("hallo")
    print(
        f"first call (loads patterns + lemma table): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    short = [timed(t) for t in TEXTS]
    print(
        f"{len(short)} list sentences: median {statistics.median(short):.2f} ms, max {max(short):.2f} ms"
    )
    for chars in (1500, 5000, 20000, 65536, 100000):
        text = ("ik vraag me af hoe dat zit met hechting. " * (chars // 40 + 1))[:chars]
        print(f"{chars:>6} characters, repeated sentence: {timed(text, 3):.0f} ms")
    rng = random.Random(7)
    for chars in (1500, 20000, 100000):
        words = []
        while sum(len(w) + 1 for w in words) < chars:
            words.append(
                "".join(
                    rng.choice(string.ascii_lowercase)
                    for _ in range(rng.randint(2, 12))
                )
            )
        print(
            f"{chars:>6} characters, random words: {timed(' '.join(words), 1):.0f} ms"
        )


if __name__ == "__main__":
    main()
