"""Print how long the result picture takes to draw and how big it is.

Run from the project root: .venv/bin/python bench/bench_result_picture.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.result_picture import PicturePoint, render_picture  # noqa: E402

ROUNDS = 30
LABELS = ["partner", "familie", "werk", "vrienden"]


def main() -> None:
    """Render the picture cold once, then warm many times, and print figures."""
    one = [PicturePoint(0.72, 0.31, "jij")]
    four = [
        PicturePoint(0.2 + 0.2 * i, 0.8 - 0.2 * i, lbl) for i, lbl in enumerate(LABELS)
    ]

    start = time.perf_counter()
    png = render_picture(one)
    cold = time.perf_counter() - start
    print(
        f"cold render (incl. matplotlib import): {cold * 1000:.0f} ms, {len(png)} bytes"
    )

    for name, points in (("1 point", one), ("4 points", four)):
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            png = render_picture(points)
            times.append(time.perf_counter() - start)
        print(
            f"warm render, {name}: median {statistics.median(times) * 1000:.1f} ms, "
            f"max {max(times) * 1000:.1f} ms over {ROUNDS} rounds, {len(png)} bytes "
            f"({len(png) * 4 / 3 / 1024:.1f} kB as base64)"
        )


if __name__ == "__main__":
    main()
