"""Figures for the questionnaire: free-text coverage and speed of parsing and scoring.

Run from the project root: ``.venv/bin/python bench/bench_questionnaire.py``.
Prints how many typed answers from the NLU data (training and held-out) map to
a scale point, which do not, and how long ``parse_answer`` and ``score`` take.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.answer_reading import parse_answer  # noqa: E402
from actions.questionnaire.content import load_questionnaire  # noqa: E402
from actions.scoring import score  # noqa: E402


def answer_examples(path: Path) -> list[str]:
    """The ``answer_question`` examples of one NLU file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for block in data.get("nlu", []):
        if block.get("intent") == "answer_question":
            return [
                line[2:].strip().strip('"')
                for line in block["examples"].splitlines()
                if line.strip().startswith("- ")
            ]
    return []


def main() -> None:
    """Print the figures."""
    questionnaire = load_questionnaire()
    context = questionnaire.questions[0]
    for name in ("data/nlu/questionnaire.yml", "tests/nlu_heldout/questionnaire.yml"):
        texts = answer_examples(ROOT / name)
        scale_hits = [
            t
            for t in texts
            if parse_answer(
                t,
                questionnaire.scale,
                questionnaire.weak_phrases,
                questionnaire.negations,
                questionnaire.rules,
            )
            is not None
        ]
        context_hits = [
            t
            for t in texts
            if t not in scale_hits
            and questionnaire.read_free_text(context, t) is not None
        ]
        missed = [t for t in texts if t not in scale_hits and t not in context_hits]
        print(
            f"{name}: {len(texts)} typed answers, {len(scale_hits)} on the scale, "
            f"{len(context_hits)} relationships, {len(missed)} unread: {missed}"
        )

    texts = answer_examples(ROOT / "data/nlu/questionnaire.yml")
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            parse_answer(
                text,
                questionnaire.scale,
                questionnaire.weak_phrases,
                questionnaire.negations,
                questionnaire.rules,
            )
    per_parse = (time.perf_counter() - started) / (rounds * len(texts))
    print(f"parse_answer: {per_parse * 1e6:.0f} µs per message")

    rng = random.Random(42)
    scored = [s for s in questionnaire.specs if s.dimension != "context"]
    runs = [
        {s.id: rng.choice([None, 1, 2, 3, 4, 5]) for s in scored} for _ in range(2000)
    ]
    started = time.perf_counter()
    styles: dict[str | None, int] = {}
    for answers in runs:
        style = score(answers, questionnaire.specs).style
        styles[style] = styles.get(style, 0) + 1
    per_score = (time.perf_counter() - started) / len(runs)
    print(f"score: {per_score * 1e6:.0f} µs per profile; random answers -> {styles}")


if __name__ == "__main__":
    main()
