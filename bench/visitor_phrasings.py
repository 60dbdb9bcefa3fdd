"""Write the measured free-question lists as NLU training data (``data/nlu/visitors/``).

Run from the project root::

    .venv/bin/python bench/visitor_phrasings.py            # writes the file
    .venv/bin/python bench/visitor_phrasings.py --check    # exit 1 when it is out of date

What is taken and what is left out: ``testsupport/visitor_phrasings.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testsupport import visitor_phrasings as vp  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare")
    parser.add_argument("--lists", nargs="*", default=list(vp.MEASURED))
    args = parser.parse_args(argv)
    text, count = vp.generated(args.lists)
    name = vp.OUT.relative_to(ROOT)
    if args.check:
        current = vp.OUT.read_text(encoding="utf-8") if vp.OUT.exists() else ""
        if current != text:
            print(f"{name} is out of date: run bench/visitor_phrasings.py")
            return 1
        print(f"{name}: up to date ({count} examples)")
        return 0
    vp.OUT.parent.mkdir(parents=True, exist_ok=True)
    vp.OUT.write_text(text, encoding="utf-8")
    print(f"wrote {name}: {count} examples")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
