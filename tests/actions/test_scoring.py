"""Unit tests of the pure scoring module (actions/scoring.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions import scoring
from actions.answer_reading import parse_answer, parse_choice
from actions.content_store import load_content
from actions.scoring import QuestionSpec, load_specs, score


@pytest.fixture(scope="module")
def specs() -> list[QuestionSpec]:
    """The real question specs from actions/content/questions.yml."""
    return load_specs(load_content("questions")["questions"])


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


def concern_answer(spec: QuestionSpec, level: int) -> int:
    """The answer that expresses ``level`` (1 = no concern .. 5 = strong concern)."""
    return level if spec.keyed == "+" else 6 - level


def answers_for(
    specs: list[QuestionSpec], self_level: int, other_level: int, depth_level: int = 3
) -> dict[str, int | None]:
    """A prototype answer set with a given concern level per dimension."""
    levels = {"self": self_level, "other": other_level, "continuum": depth_level}
    return {
        spec.id: concern_answer(spec, levels[spec.dimension])
        for spec in specs
        if spec.dimension in levels
    }


# --- the content itself -----------------------------------------------------


def test_questionnaire_is_balanced_and_partly_reverse_keyed(
    specs: list[QuestionSpec],
) -> None:
    """12-16 dimension questions, equal per dimension, some reverse-keyed; 3-4 continuum."""
    per_dim = {d: [s for s in specs if s.dimension == d] for d in ("self", "other")}
    assert len(per_dim["self"]) == len(per_dim["other"])
    assert 12 <= len(per_dim["self"]) + len(per_dim["other"]) <= 16
    for items in per_dim.values():
        reverse = [s for s in items if s.keyed == "-"]
        assert 0 < len(reverse) < len(items)
    assert 3 <= len([s for s in specs if s.dimension == "continuum"]) <= 4
    assert specs[0].id == "relationship_context"
    assert specs[0].dimension == "context"


def test_every_question_has_text_and_why() -> None:
    """Each question has a Dutch text and a why; the context question has options."""
    for entry in load_content("questions")["questions"]:
        assert entry["text"].strip(), entry["id"]
        assert entry["why"].strip(), entry["id"]
    context = load_content("questions")["questions"][0]
    assert {o["code"] for o in context["options"]} == {
        "partner",
        "family",
        "work",
        "friends",
    }


def test_load_specs_rejects_broken_content() -> None:
    """Unknown dimensions, bad keying and duplicate ids fail loudly."""
    with pytest.raises(ValueError, match="dimension"):
        load_specs([{"id": "x", "dimension": "mood", "keyed": "+"}])
    with pytest.raises(ValueError, match="keyed"):
        load_specs([{"id": "x", "dimension": "self", "keyed": "?"}])
    with pytest.raises(ValueError, match="duplicate"):
        load_specs(
            [
                {"id": "x", "dimension": "self", "keyed": "+"},
                {"id": "x", "dimension": "other", "keyed": "+"},
            ]
        )
    with pytest.raises(ValueError, match="without id"):
        load_specs([{"dimension": "self", "keyed": "+"}])


# --- styles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("self_level", "other_level", "style"),
    [
        (1, 1, "secure"),
        (5, 1, "anxious"),
        (1, 5, "avoidant"),
        (5, 5, "disorganised"),
        (2, 1, "secure"),
        (4, 2, "anxious"),
        (2, 4, "avoidant"),
        (4, 5, "disorganised"),
    ],
)
def test_prototypes_land_on_each_style(
    specs: list[QuestionSpec], self_level: int, other_level: int, style: str
) -> None:
    """Prototype answer sets land in the expected quadrant, clearly, without a second style."""
    profile = score(answers_for(specs, self_level, other_level), specs)
    assert profile.style == style
    assert profile.secondary_style is None
    assert profile.clarity in ("clear", "moderate")
    assert profile.answered == profile.total == 16


def test_extreme_prototypes_are_clear(specs: list[QuestionSpec]) -> None:
    """Fully consistent answers give concern 0 or 1 and a clear result."""
    profile = score(answers_for(specs, 5, 1), specs)
    assert profile.self_concern == pytest.approx(1.0)
    assert profile.other_concern == pytest.approx(0.0)
    assert profile.clarity == "clear"


def test_reverse_keyed_items_count_the_right_way(specs: list[QuestionSpec]) -> None:
    """Agreeing with a '-' item lowers the concern; agreeing with a '+' item raises it."""
    base = answers_for(specs, 3, 3)
    reverse = next(s for s in specs if s.dimension == "self" and s.keyed == "-")
    forward = next(s for s in specs if s.dimension == "self" and s.keyed == "+")
    middle = score(base, specs).self_concern
    assert middle is not None
    agree_reverse = score({**base, reverse.id: 5}, specs).self_concern
    agree_forward = score({**base, forward.id: 5}, specs).self_concern
    assert agree_reverse is not None and agree_forward is not None
    assert agree_reverse < middle < agree_forward


def test_only_reverse_items_agreed_gives_secure(specs: list[QuestionSpec]) -> None:
    """Saying 'bijna altijd' only to the reverse-keyed items means low concern."""
    answers = {
        s.id: (5 if s.keyed == "-" else 1)
        for s in specs
        if s.dimension in ("self", "other")
    }
    profile = score(answers, specs)
    assert profile.self_concern == pytest.approx(0.0)
    assert profile.other_concern == pytest.approx(0.0)
    assert profile.style == "secure"


@pytest.mark.parametrize(
    ("nudge_dimension", "primary", "secondary"),
    [("self", "avoidant", "disorganised"), ("other", "anxious", "disorganised")],
)
def test_borderline_answers_give_a_secondary_style(
    specs: list[QuestionSpec], nudge_dimension: str, primary: str, secondary: str
) -> None:
    """A dimension just at the border gives the neighbouring style as secondary."""
    levels = {"self": 5, "other": 5}
    levels[nudge_dimension] = 3  # neutral: exactly on the border
    profile = score(answers_for(specs, levels["self"], levels["other"]), specs)
    assert profile.style == primary
    assert profile.secondary_style == secondary
    assert profile.clarity == "unclear"


def test_just_over_the_border_flips_back(specs: list[QuestionSpec]) -> None:
    """One answer more worried than neutral moves the point into the other quadrant."""
    answers = answers_for(specs, 3, 1)
    plus_self = next(s for s in specs if s.dimension == "self" and s.keyed == "+")
    profile = score({**answers, plus_self.id: 4}, specs)
    assert profile.style == "anxious"
    assert profile.secondary_style == "secure"


def test_too_few_answers_gives_no_style(specs: list[QuestionSpec]) -> None:
    """Fewer than 60% answered in one dimension: no style, no guess."""
    answers: dict[str, int | None] = dict(answers_for(specs, 5, 1))
    other_ids = [s.id for s in specs if s.dimension == "other"]
    for qid in other_ids[:3]:  # 3 of 6 left: 50%
        answers[qid] = None
    profile = score(answers, specs)
    assert profile.style is None
    assert profile.other_concern is None
    assert profile.self_concern == pytest.approx(1.0)
    assert profile.secondary_style is None
    assert profile.clarity is None
    assert profile.continuum is None
    assert profile.answered == 13
    assert profile.total == 16


def test_enough_answers_with_skips_still_scores_with_lower_clarity(
    specs: list[QuestionSpec],
) -> None:
    """Two skips out of six (67%) still give a style, but one step less clear."""
    answers: dict[str, int | None] = dict(answers_for(specs, 5, 1))
    other_ids = [s.id for s in specs if s.dimension == "other"]
    answers[other_ids[0]] = None
    answers[other_ids[1]] = None
    profile = score(answers, specs)
    assert profile.style == "anxious"
    assert profile.clarity == "moderate"


def test_no_answers_at_all(specs: list[QuestionSpec]) -> None:
    """An empty run is honest: nothing answered, no style."""
    profile = score({}, specs)
    assert profile.style is None
    assert profile.answered == 0
    assert profile.contributions == {"self": [], "other": []}


def test_off_scale_answer_is_rejected(specs: list[QuestionSpec]) -> None:
    """Scores are 1..5; anything else is a programming error, not a silent guess."""
    with pytest.raises(ValueError):
        score({"q01": 7}, specs)
    with pytest.raises(ValueError):
        score({"q01": "4"}, specs)  # type: ignore[dict-item]


# --- continuum ---------------------------------------------------------------


def test_secure_style_is_secure_on_the_continuum(specs: list[QuestionSpec]) -> None:
    """Secure style sits at the secure end whatever the continuum answers."""
    assert score(answers_for(specs, 1, 1, depth_level=5), specs).continuum == "secure"


@pytest.mark.parametrize(
    ("depth_level", "expected"),
    [(1, "symptom"), (3, "traits"), (5, "structure")],
)
def test_continuum_follows_depth_answers(
    specs: list[QuestionSpec], depth_level: int, expected: str
) -> None:
    """Frequency, breadth, childhood push deeper; noticing pulls back."""
    answers = answers_for(specs, 4, 2, depth_level=depth_level)
    assert score(answers, specs).continuum == expected


def test_inner_reference_point_keeps_out_of_structure(
    specs: list[QuestionSpec],
) -> None:
    """Being able to notice and step out (reverse item high) caps the result at traits."""
    answers = answers_for(specs, 5, 5, depth_level=5)
    step_out = next(s for s in specs if s.dimension == "continuum" and s.keyed == "-")
    assert score(answers, specs).continuum == "structure"
    assert score({**answers, step_out.id: 5}, specs).continuum == "traits"


def test_without_continuum_answers_extremity_decides(
    specs: list[QuestionSpec],
) -> None:
    """Skipped continuum questions: the dimension scores alone place the result."""
    answers: dict[str, int | None] = dict(answers_for(specs, 5, 5))
    for spec in specs:
        if spec.dimension == "continuum":
            answers[spec.id] = None
    assert score(answers, specs).continuum == "structure"
    mild: dict[str, int | None] = dict(answers_for(specs, 3, 1))
    plus_self = next(s for s in specs if s.dimension == "self" and s.keyed == "+")
    mild[plus_self.id] = 5
    for spec in specs:
        if spec.dimension == "continuum":
            mild[spec.id] = None
    assert score(mild, specs).style == "anxious"
    assert score(mild, specs).continuum == "symptom"


# --- contributions -------------------------------------------------------------


def test_contributions_name_the_strongest_answers_first(
    specs: list[QuestionSpec],
) -> None:
    """The answers that moved a dimension most come first and add up to the shift."""
    answers = answers_for(specs, 3, 3)
    self_ids = [s.id for s in specs if s.dimension == "self"]
    strong = next(s for s in specs if s.id == self_ids[2])
    answers[strong.id] = concern_answer(strong, 5)
    profile = score(answers, specs)
    assert profile.contributions["self"][0][0] == strong.id
    assert profile.contributions["self"][0][1] > 0
    assert profile.self_concern is not None
    total = sum(effect for _, effect in profile.contributions["self"])
    assert total == pytest.approx(profile.self_concern - 0.5)
    assert {qid for qid, _ in profile.contributions["other"]} == {
        s.id for s in specs if s.dimension == "other"
    }


# --- property tests ------------------------------------------------------------

answer_values = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_raising_an_anxiety_keyed_answer_never_lowers_self_concern(
    specs: list[QuestionSpec], data: st.DataObject
) -> None:
    """For every '+' self item: a higher answer never gives a lower self_concern."""
    answers = {
        s.id: data.draw(answer_values, label=s.id)
        for s in specs
        if s.dimension != "context"
    }
    item = data.draw(
        st.sampled_from([s for s in specs if s.dimension == "self" and s.keyed == "+"])
    )
    low = data.draw(st.integers(min_value=1, max_value=4), label="low")
    high = data.draw(st.integers(min_value=low + 1, max_value=5), label="high")
    before = score({**answers, item.id: low}, specs).self_concern
    after = score({**answers, item.id: high}, specs).self_concern
    if before is None:
        assert after is None
    else:
        assert after is not None
        assert after > before


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_scores_stay_in_range_and_style_matches_quadrant(
    specs: list[QuestionSpec], data: st.DataObject
) -> None:
    """Any answer set: concerns in 0..1, style consistent with the quadrant."""
    answers = {
        s.id: data.draw(answer_values, label=s.id)
        for s in specs
        if s.dimension != "context"
    }
    profile = score(answers, specs)
    assert 0 <= profile.answered <= profile.total
    if profile.style is None:
        return
    assert profile.self_concern is not None and profile.other_concern is not None
    assert 0.0 <= profile.self_concern <= 1.0
    assert 0.0 <= profile.other_concern <= 1.0
    assert profile.style in scoring.STYLES
    expected = {
        (False, False): "secure",
        (True, False): "anxious",
        (False, True): "avoidant",
        (True, True): "disorganised",
    }[(profile.self_concern > 0.5, profile.other_concern > 0.5)]
    assert profile.style == expected
    assert profile.secondary_style != profile.style
    assert (profile.continuum == "secure") == (profile.style == "secure")


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


def test_answers_from_slots_reads_stored_values(specs: list[QuestionSpec]) -> None:
    """Slot values (ints, digit strings, 'skipped') become 1..5 or None."""
    slots: dict[str, Any] = {
        "q01": 4,
        "q02": "2",
        "q03": "skipped",
        "q04": None,
        "q05": 9,
        "q06": True,
        "relationship_context": "partner",
    }
    answers = scoring.answers_from_slots(slots, specs)
    assert answers["q01"] == 4
    assert answers["q02"] == 2
    assert answers["q03"] is None
    assert answers["q04"] is None
    assert answers["q05"] is None
    assert answers["q06"] is None
    assert "relationship_context" not in answers
    assert len(answers) == 16
