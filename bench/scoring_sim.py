"""Simulated respondents through the pure scoring (actions/scoring.py).

Prints one table: how often prototypical respondents (with answer noise) land
on the intended style or on another style, how often uniformly random,
straight-lining and (dis)acquiescent respondents get a style, and how often
moving one answer by one step changes the label.

Usage (from the project root):
    .venv/bin/python bench/scoring_sim.py [--n 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actions.content_store import load_content  # noqa: E402
from actions.scoring import (  # noqa: E402
    SCALE_MAX,
    SCALE_MIN,
    STYLES,
    Profile,
    QuestionSpec,
    load_specs,
    score,
    scored_specs,
)

Answers = dict[str, int | None]
PROTOTYPE_LEVELS = {
    "secure": ("low", "low"),
    "anxious": ("high", "low"),
    "avoidant": ("low", "high"),
    "disorganised": ("high", "high"),
}
STRENGTHS = {"moderate": (1, 3), "strong": (0, 4)}
"""Concern points (0..4) a prototype gives per item: (low side, high side)."""
NOISE_LEVELS = (0.2, 0.4)


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    label: str
    n: int
    intended: float | None
    other_style: float
    any_style: float
    confident: float


def answer_for(spec: QuestionSpec, points: int) -> int:
    """The answer 1..5 that gives ``points`` concern on ``spec``."""
    return SCALE_MIN + (points if spec.keyed == "+" else 4 - points)


def prototype(
    specs: Sequence[QuestionSpec], style: str, strength: str, rng: random.Random
) -> Answers:
    """A prototypical respondent of ``style``; continuum answers in the middle +-1."""
    low, high = STRENGTHS[strength]
    self_level, other_level = PROTOTYPE_LEVELS[style]
    answers: Answers = {}
    for spec in specs:
        if spec.dimension == "self":
            answers[spec.id] = answer_for(spec, high if self_level == "high" else low)
        elif spec.dimension == "other":
            answers[spec.id] = answer_for(spec, high if other_level == "high" else low)
        else:
            answers[spec.id] = rng.randint(2, 4)
    return answers


def with_noise(answers: Answers, probability: float, rng: random.Random) -> Answers:
    """Each answer moves one step up or down with ``probability`` (kept on the scale)."""
    noisy: Answers = {}
    for qid, value in answers.items():
        if value is not None and rng.random() < probability:
            step = rng.choice((-1, 1))
            if not SCALE_MIN <= value + step <= SCALE_MAX:
                step = -step
            value += step
        noisy[qid] = value
    return noisy


def noisy_prototype(
    specs: Sequence[QuestionSpec], style: str, strength: str, noise: float
) -> Callable[[random.Random], Answers]:
    """A maker of noisy prototypical respondents."""

    def make(rng: random.Random) -> Answers:
        return with_noise(prototype(specs, style, strength, rng), noise, rng)

    return make


def straight_line(
    specs: Sequence[QuestionSpec], value: int
) -> Callable[[random.Random], Answers]:
    """A maker of respondents who give ``value`` to every question."""

    def make(rng: random.Random) -> Answers:
        return {spec.id: value for spec in specs}

    return make


def confident(profile: Profile) -> bool:
    """A style without a hedge (clear or moderate clarity)."""
    return profile.outcome == "style" and profile.clarity in ("clear", "moderate")


def measure(
    label: str,
    make: Callable[[random.Random], Answers],
    specs: Sequence[QuestionSpec],
    n: int,
    rng: random.Random,
    intended: str | None = None,
) -> Row:
    """Score ``n`` respondents made by ``make``."""
    hits = others = styled = sure = 0
    for _ in range(n):
        profile = score(make(rng), specs)
        if profile.outcome == "style":
            styled += 1
            if profile.style == intended:
                hits += 1
            else:
                others += 1
        sure += confident(profile)
    return Row(
        label=label,
        n=n,
        intended=hits / n if intended else None,
        other_style=others / n,
        any_style=styled / n,
        confident=sure / n,
    )


def stability(
    specs: Sequence[QuestionSpec], n: int, rng: random.Random, strength: str
) -> float:
    """Share of noisy (0.2) prototypes whose label changes when one answer moves one step."""
    scored = [spec for spec in specs if spec.dimension in ("self", "other")]
    flips = 0
    for i in range(n):
        style = STYLES[i % len(STYLES)]
        answers = with_noise(prototype(specs, style, strength, rng), 0.2, rng)
        before = score(answers, specs)
        spec = rng.choice(scored)
        moved = dict(answers)
        value = moved[spec.id]
        assert value is not None
        step = rng.choice((-1, 1))
        if not SCALE_MIN <= value + step <= SCALE_MAX:
            step = -step
        moved[spec.id] = value + step
        after = score(moved, specs)
        flips += (before.outcome, before.style) != (after.outcome, after.style)
    return flips / n


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="respondents per row")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    specs = scored_specs(load_specs(load_content("questions")["questions"]))
    rows: list[Row] = []
    for strength in STRENGTHS:
        for noise in NOISE_LEVELS:
            for style in STYLES:
                rows.append(
                    measure(
                        f"prototype {style} ({strength}, noise {noise})",
                        noisy_prototype(specs, style, strength, noise),
                        specs,
                        args.n // 4,
                        rng,
                        intended=style,
                    )
                )
    rows.append(
        measure(
            "uniformly random",
            lambda r: {spec.id: r.randint(SCALE_MIN, SCALE_MAX) for spec in specs},
            specs,
            args.n,
            rng,
        )
    )
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        rows.append(
            measure(
                f"straight-liner all {value}",
                straight_line(specs, value),
                specs,
                1,
                rng,
            )
        )
    rows.append(
        measure(
            "acquiescent (4 or 5 everywhere)",
            lambda r: {spec.id: r.randint(4, 5) for spec in specs},
            specs,
            args.n,
            rng,
        )
    )
    rows.append(
        measure(
            "nay-saying (1 or 2 everywhere)",
            lambda r: {spec.id: r.randint(1, 2) for spec in specs},
            specs,
            args.n,
            rng,
        )
    )
    print(
        f"{'respondents':48} {'n':>6} {'intended':>9} {'other':>7} {'any':>7} {'confident':>9}"
    )
    for row in rows:
        intended = "" if row.intended is None else f"{row.intended:.1%}"
        print(
            f"{row.label:48} {row.n:>6} {intended:>9} {row.other_style:>7.1%} "
            f"{row.any_style:>7.1%} {row.confident:>9.1%}"
        )
    for strength in STRENGTHS:
        flips = stability(specs, args.n, rng, strength)
        print(
            f"stability ({strength}): one answer one step changes the label in {flips:.1%}"
        )
    print(
        "targets: intended >= 90% and other <= 3% at noise 0.2; random confident <= 10%; "
        "straight-liners and (dis)acquiescent 0% any style; stability <= 5%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
