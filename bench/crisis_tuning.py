"""How the crisis detector's thresholds were chosen (cross-validation).

Only the development list is used; the held-out lists are not read.

For each fold the learned model is trained on the other folds plus the NLU
examples; the patterns run as they are. For a grid of thresholds it prints what
the three answers would be: clear messages that get the help lines (and that get
nothing at all), passive messages that get help lines or a check-in, near-misses
that get a full alarm or a check-in.

Usage: .venv/bin/python bench/crisis_tuning.py [--folds 5]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hechtwijzer_core import crisis  # noqa: E402
from hechtwijzer_core import crisis_model as cm  # noqa: E402


def rate(table: Dict[str, Counter], kind: str, *levels: str) -> float:
    """Share of ``kind`` messages that got one of ``levels``."""
    counts = table[kind]
    return sum(counts[lv] for lv in levels) / max(1, sum(counts.values()))


def main() -> None:
    """Print the trade-off table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    from sklearn.model_selection import StratifiedKFold

    rows = cm.read_development_list()
    nlu = cm.read_nlu_examples()
    texts = [text for _, _, text in rows]
    kinds = [kind for kind, _, _ in rows]
    rules = [crisis.detect(t, use_model=False) for t in texts]
    settings = crisis.model_settings()
    probabilities: List[Dict[str, float]] = [{} for _ in rows]
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    for train, test in folds.split(texts, kinds):
        model = cm.CrisisModel(settings).fit(
            [texts[i] for i in train] + [t for _, t in nlu],
            [cm.KIND_TO_LABEL[kinds[i]] for i in train] + [label for label, _ in nlu],
        )
        for i, row in zip(
            test, model.probabilities([texts[i] for i in test]), strict=True
        ):
            probabilities[i] = row
    print(f"development list: {Counter(kinds)}; C={settings.c}; {args.folds} folds")
    print(
        f"{'crisis_t':>8} {'check_t':>7} {'silence':>7} | {'clear: help':>11} "
        f"{'nothing':>7} | {'passive: help/check':>19} | {'near: alarm':>11} {'check':>6}"
    )
    grid = itertools.product(
        (0.35, 0.45, 0.55, 0.65), (0.35, 0.45, 0.55), (0.8, 0.9, 2.0)
    )
    for crisis_t, check_t, silence in grid:
        table: Dict[str, Counter] = defaultdict(Counter)
        for p, kind, rule in zip(probabilities, kinds, rules, strict=True):
            if p["crisis"] >= crisis_t:
                model_level = "crisis"
            elif p["crisis"] + p["check"] >= check_t:
                model_level = "check"
            else:
                model_level = "none"
            result = crisis.CrisisResult(
                rule.matches,
                model_level=model_level,
                model_none=p["none"],
                silence_at=silence,
            )
            table[kind][result.level] += 1

        chosen = (
            " <- config"
            if (crisis_t, check_t, silence)
            == (
                settings.crisis_threshold,
                settings.check_threshold,
                settings.silence_threshold,
            )
            else ""
        )
        print(
            f"{crisis_t:>8} {check_t:>7} {silence:>7} | {rate(table, 'clear', 'crisis'):>11.1%} "
            f"{rate(table, 'clear', 'none'):>7.1%} | {rate(table, 'passive', 'crisis', 'check'):>19.1%} | "
            f"{rate(table, 'near_miss', 'crisis'):>11.1%} {rate(table, 'near_miss', 'check'):>6.1%}{chosen}"
        )


if __name__ == "__main__":
    main()
