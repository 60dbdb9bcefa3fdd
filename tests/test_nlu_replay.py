"""The in-process replay of ``bench/nlu_replay.py`` decides as the running resolver."""

from __future__ import annotations

import pytest

from bench import nlu_replay as nr
from bot.components import topic_choice as tc

CASES = [
    nr.Case(
        "style/anxious",
        "ik sta altijd voor iedereen klaar en verlies mezelf, welke stijl is dat",
        (("ask_style", 0.88), ("faq", 0.12)),
        (("two_dimensions", 0.6), ("several_styles", 0.4)),
        (("style/anxious", 0.95), ("style/avoidant", 0.01)),
    ),
    nr.Case(
        "term/symptoom",
        "wat betekent hechting als symptoom",
        (("explain_term", 0.7), ("faq", 0.3)),
        (("continuum_levels", 0.8), ("continuum", 0.2)),
        (("faq/continuum_levels", 0.6), ("term/symptoom", 0.3)),
    ),
    nr.Case(
        "faq/bowlby",
        "wie was bowlby",
        (("faq", 0.9), ("chitchat", 0.1)),
        (("bowlby", 0.9), ("sources", 0.1)),
        (("faq/bowlby", 0.9),),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.expected)
def test_the_replay_decides_as_the_resolver(case: nr.Case) -> None:
    """Same decision from recorded predictions as from ``topic_choice.resolve``."""
    vocab = nr.vocabulary()
    settings = nr.config_settings()
    expected = tc.resolve(
        case.intents, case.topics, case.text, vocab, settings, dict(case.reading)
    )
    assert nr.decide(case, vocab, settings) == expected


def test_a_described_style_is_answered_in_the_replay() -> None:
    """A style question the second reader is sure of gets that style."""
    decision = nr.decide(CASES[0], nr.vocabulary(), nr.config_settings())
    assert (decision.kind, decision.label) == ("answer", "style/anxious")
