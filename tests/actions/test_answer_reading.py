"""Unit tests of reading typed questionnaire answers (actions/answer_reading.py)."""

from __future__ import annotations

import pytest

from actions.answer_reading import parse_answer, parse_choice
from actions.content_store import load_content


@pytest.fixture(scope="module")
def scale() -> dict[int, list[str]]:
    """The real answer scale: value -> button title and phrases."""
    raw = load_content("answer_scale")["scale"]
    return {int(k): [v["label"], *v["phrases"]] for k, v in raw.items()}


@pytest.fixture(scope="module")
def weak() -> list[str]:
    """The bare yes/no phrases of the answer scale."""
    return list(load_content("answer_scale")["weak_phrases"])


@pytest.fixture(scope="module")
def negations() -> list[str]:
    """The words that turn a phrase around."""
    return list(load_content("answer_scale")["negations"])


# --- free text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ja, heel vaak", 5),
        ("nee nooit", 1),
        ("soms wel", 3),
        ("klopt helemaal", 5),
        ("herken ik niet", 1),
        ("af en toe", 3),
        ("meestal wel", 4),
        ("Bijna altijd", 5),
        ("Zelden", 2),
        ("klopt helemaal niet", 1),
        ("niet vaak", 2),
        ("nee, zelden", 2),
        ("VAAAAK!!", 4),
        ("zeldenn", 2),
        ("sooms", 3),
        ("nie echt", 2),
        ("nooit nie", 1),
        ("zeker en vast", 5),
        ("ik denk het wel vaak eigenlijk", 4),
        ("3", 3),
        ("  5 ", 5),
        ("héél vaak", 5),
        ("zeker niet", 1),
        ("ja, maar niet altijd", 3),
        ("vaak niet", 2),
    ],
)
def test_parse_answer_maps_free_text(
    scale: dict[int, list[str]],
    weak: list[str],
    negations: list[str],
    text: str,
    value: int,
) -> None:
    """Typed answers, typos and Flemish variants map to the right point."""
    assert parse_answer(text, scale, weak, negations) == value


@pytest.mark.parametrize(
    "text",
    [
        "geen idee",
        "ik weet het niet",
        "",
        "   ",
        "6",
        "0",
        "vaak of nooit",
        "pizza",
        "??",
        "niet zeker",
        "ik weet het niet zeker",
        "altijd niet",
    ],
)
def test_parse_answer_refuses_to_guess(
    scale: dict[int, list[str]], weak: list[str], negations: list[str], text: str
) -> None:
    """Unknown, negated or contradictory text gives None (the bot then asks again)."""
    assert parse_answer(text, scale, weak, negations) is None


def test_negation_next_to_a_phrase_makes_it_unclear() -> None:
    """'zeker niet' is not read as 'zeker' when the negation is known."""
    table = {5: ["zeker"], 1: ["nooit"]}
    assert parse_answer("zeker", table, (), ["niet"]) == 5
    assert parse_answer("zeker niet", table) == 5
    assert parse_answer("zeker niet", table, (), ["niet"]) is None
    assert parse_answer("niet zeker", table, (), ["niet"]) is None


def test_weak_words_only_count_alone(scale: dict[int, list[str]]) -> None:
    """Bare 'ja'/'nee' map on their own, but a clearer phrase overrules them."""
    assert parse_answer("ja", scale, ["ja"]) == 4
    assert parse_answer("nee", scale, ["nee"]) == 1
    assert parse_answer("ja soms", scale, ["ja"]) == 3
    assert parse_answer("nee, af en toe", scale, ["nee"]) == 3
    assert parse_answer("nee, af en toe", scale) is None


def test_parse_choice_for_relationship() -> None:
    """Free-text relationship answers map to the option codes."""
    context = load_content("questions")["questions"][0]
    options = {o["code"]: [o["label"], *o["phrases"]] for o in context["options"]}
    assert parse_choice("mijn vriend", options) == "partner"
    assert parse_choice("mijn beste vriendin", options) == "friends"
    assert parse_choice("met collega's", options) == "work"
    assert parse_choice("Mama", options) == "family"
    assert parse_choice("iets heel anders", options) is None
