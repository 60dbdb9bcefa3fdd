"""Unit tests of the pure scoring module (actions/scoring.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions import scoring
from actions.content_store import load_content
from actions.scoring import (
    QuestionSpec,
    compare_with_self_check,
    load_specs,
    score,
    self_check_estimate,
)


@pytest.fixture(scope="module")
def specs() -> list[QuestionSpec]:
    """The real question specs from actions/content/questions.yml."""
    return load_specs(load_content("questions")["questions"])


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


def test_each_dimension_is_balanced_and_paired(specs: list[QuestionSpec]) -> None:
    """12-16 dimension questions; per dimension as many '-' as '+' keyed, all paired."""
    per_dim = {d: [s for s in specs if s.dimension == d] for d in ("self", "other")}
    assert len(per_dim["self"]) == len(per_dim["other"])
    assert 12 <= len(per_dim["self"]) + len(per_dim["other"]) <= 16
    by_id = {s.id: s for s in specs}
    for items in per_dim.values():
        forward = [s for s in items if s.keyed == "+"]
        assert len(forward) * 2 == len(items)
        for spec in items:
            partner = by_id[spec.pair or ""]
            assert partner.pair == spec.id
            assert partner.dimension == spec.dimension
            assert partner.keyed != spec.keyed
    continuum = [s for s in specs if s.dimension == "continuum"]
    assert {s.role for s in continuum} == {
        "small_things",
        "breadth",
        "childhood",
        "step_back",
    }
    assert specs[0].id == "relationship_context"
    assert specs[0].dimension == "context"


def test_question_texts_fit_the_scale_and_name_no_style() -> None:
    """Every scored question asks "hoe vaak"; no style name, no yes/no past tense."""
    names = (
        "veilig",
        "vermijd",
        "vastklamp",
        "gedesorganiseerd",
        "angstig",
        "hechting",
    )
    for entry in load_content("questions")["questions"][1:]:
        text = entry["text"].lower()
        assert "hoe vaak" in text, entry["id"]
        assert text.count("?") == 1, entry["id"]
        for name in names:
            assert name not in text, (entry["id"], name)
            assert name not in entry["why"].lower(), (entry["id"], name)


def test_the_childhood_question_says_skipping_is_fine() -> None:
    """The question about childhood says plainly it may be skipped."""
    entry = next(
        e
        for e in load_content("questions")["questions"]
        if e.get("role") == "childhood"
    )
    assert "overslaan" in entry["text"]


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
    """Unknown dimensions, bad keying, duplicate ids and bad pairs fail loudly."""
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
    with pytest.raises(ValueError, match="pair"):
        load_specs(
            [
                {"id": "a", "dimension": "self", "keyed": "+", "pair": "b"},
                {"id": "b", "dimension": "self", "keyed": "+", "pair": "a"},
            ]
        )
    with pytest.raises(ValueError, match="pair"):
        load_specs(
            [
                {"id": "a", "dimension": "self", "keyed": "+", "pair": "b"},
                {"id": "b", "dimension": "other", "keyed": "-", "pair": "a"},
            ]
        )
    with pytest.raises(ValueError, match="role"):
        load_specs([{"id": "c", "dimension": "continuum", "keyed": "+", "role": "x"}])


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
    assert profile.outcome == "style"
    assert profile.style == style
    assert profile.secondary_style is None
    assert profile.clarity in ("clear", "moderate")
    assert profile.response_check is None
    assert profile.answered == profile.total == 16


def test_extreme_prototypes_are_clear(specs: list[QuestionSpec]) -> None:
    """Fully consistent answers give concern 0 or 1 and a clear result."""
    profile = score(answers_for(specs, 5, 1), specs)
    assert profile.self_concern == pytest.approx(1.0)
    assert profile.other_concern == pytest.approx(0.0)
    assert (profile.self_level, profile.other_level) == ("high", "low")
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


# --- response styles -------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_straight_lining_gives_no_style(specs: list[QuestionSpec], value: int) -> None:
    """The same answer to every question: no style, the answers point different ways."""
    profile = score({s.id: value for s in specs if s.dimension != "context"}, specs)
    assert profile.outcome == "mixed"
    assert profile.style is None
    assert profile.continuum is None
    assert profile.response_check is not None
    assert profile.response_check.kind == "straight_line"


def test_one_different_answer_is_still_straight_lining(
    specs: list[QuestionSpec],
) -> None:
    """Eleven of twelve identical dimension answers are still one line."""
    answers = {s.id: 4 for s in specs if s.dimension != "context"}
    answers["q05"] = 2
    check = score(answers, specs).response_check
    assert check is not None and check.kind == "straight_line"


@pytest.mark.parametrize(
    ("values", "kind"),
    [((4, 5), "acquiescence"), ((1, 2), "disacquiescence")],
)
def test_agreeing_or_disagreeing_with_both_directions_gives_no_style(
    specs: list[QuestionSpec], values: tuple[int, int], kind: str
) -> None:
    """Answering high (or low) on both directions of every pair is a response style."""
    answers = {
        s.id: values[i % 2]
        for i, s in enumerate(s for s in specs if s.dimension != "context")
    }
    profile = score(answers, specs)
    assert profile.outcome == "mixed"
    assert profile.style is None
    assert profile.response_check is not None
    assert profile.response_check.kind == kind
    assert profile.response_check.pairs


def test_contradicting_pairs_are_named(specs: list[QuestionSpec]) -> None:
    """Two pairs answered 'bijna altijd' on both sides: no style, and those pairs named."""
    answers = answers_for(specs, 5, 1)
    answers["q03"] = 5  # reverse of q01, which is 5 in this prototype
    answers["q10"] = 1  # reverse of q12 (other), agreeing low on both sides
    answers["q12"] = 2
    profile = score(answers, specs)
    assert profile.outcome == "mixed"
    assert profile.response_check is not None
    assert profile.response_check.kind == "contradiction"
    assert set(profile.response_check.pairs) == {("q01", "q03"), ("q12", "q10")}


def test_one_contradicting_pair_is_allowed(specs: list[QuestionSpec]) -> None:
    """A single odd pair does not throw the result away."""
    answers = answers_for(specs, 5, 1)
    answers["q03"] = 4
    profile = score(answers, specs)
    assert profile.outcome == "style"
    assert profile.style == "anxious"


# --- no clear pattern ----------------------------------------------------------------


def test_middle_answers_give_no_pattern(specs: list[QuestionSpec]) -> None:
    """Answers around the middle of both dimensions: no style headline, no continuum."""
    answers = answers_for(specs, 3, 3)
    answers.update({"q01": 4, "q03": 4, "q02": 2, "q04": 2})  # break the straight line
    profile = score(answers, specs)
    assert profile.outcome == "no_pattern"
    assert profile.style is None
    assert profile.continuum is None
    assert (profile.self_level, profile.other_level) == ("middle", "middle")
    assert profile.self_concern is not None


def test_secure_needs_both_dimensions_clearly_low(specs: list[QuestionSpec]) -> None:
    """Low on one dimension and undecided on the other is no pattern, not secure."""
    answers = answers_for(specs, 1, 3)
    answers.update({"q02": 4, "q04": 4})
    profile = score(answers, specs)
    assert profile.other_level == "middle"
    assert profile.outcome == "no_pattern"
    assert profile.style is None


def test_scattered_answers_leave_a_dimension_undecided(
    specs: list[QuestionSpec],
) -> None:
    """A dimension whose answers scatter widely does not lean either way."""
    answers = answers_for(specs, 1, 1)
    # self: forward 1,1,5 (concern 0,0,1); reverse 1,5,5 (concern 1,0,0): mean 1/3
    answers.update({"q11": 5, "q07": 1})
    profile = score(answers, specs)
    assert profile.self_level == "middle"
    assert profile.self_scattered
    assert not profile.other_scattered
    assert profile.style is None


def test_one_direction_alone_does_not_decide(specs: list[QuestionSpec]) -> None:
    """Mostly 'Soms' with 'Vaak' on the three worry questions: no style.

    The reverse questions sit in the middle, so only one direction leans; the
    dimension stays undecided (and counts as scattered, not as the middle).
    """
    answers = {s.id: 3 for s in specs if s.dimension != "context"}
    answers.update({"q01": 4, "q05": 4, "q11": 4})
    profile = score(answers, specs)
    assert profile.outcome == "no_pattern"
    assert profile.self_level == "middle"
    assert profile.self_scattered


@pytest.mark.parametrize(
    ("nudge_dimension", "primary", "secondary"),
    [("self", "avoidant", "disorganised"), ("other", "anxious", "disorganised")],
)
def test_one_undecided_dimension_gives_a_secondary_style(
    specs: list[QuestionSpec], nudge_dimension: str, primary: str, secondary: str
) -> None:
    """One clearly high dimension and one at the border: style with its neighbour."""
    levels = {"self": 5, "other": 5}
    levels[nudge_dimension] = 3
    answers = answers_for(specs, levels["self"], levels["other"])
    ids = [s.id for s in specs if s.dimension == nudge_dimension]
    answers[ids[0]] = 2  # not a straight line within the undecided dimension
    answers[ids[1]] = 4
    profile = score(answers, specs)
    assert profile.style == primary
    assert profile.secondary_style == secondary
    assert profile.clarity == "unclear"


def test_too_few_answers_gives_no_style(specs: list[QuestionSpec]) -> None:
    """Fewer than two thirds answered in one dimension: no style, no guess."""
    answers: dict[str, int | None] = dict(answers_for(specs, 5, 1))
    other_ids = [s.id for s in specs if s.dimension == "other"]
    for qid in other_ids[:3]:
        answers[qid] = None
    profile = score(answers, specs)
    assert profile.outcome == "too_few"
    assert profile.style is None
    assert profile.other_concern is None
    assert profile.self_concern == pytest.approx(1.0)
    assert profile.clarity is None
    assert profile.continuum is None
    assert profile.answered == 13
    assert profile.total == 16


def test_enough_answers_with_skips_still_scores_with_lower_clarity(
    specs: list[QuestionSpec],
) -> None:
    """Two skips out of six still give a style, but one step less clear."""
    answers: dict[str, int | None] = dict(answers_for(specs, 5, 1))
    for qid in ("q02", "q04"):
        answers[qid] = None
    profile = score(answers, specs)
    assert profile.style == "anxious"
    assert profile.clarity == "moderate"


def test_no_answers_at_all(specs: list[QuestionSpec]) -> None:
    """An empty run is honest: nothing answered, no style."""
    profile = score({}, specs)
    assert profile.outcome == "too_few"
    assert profile.style is None
    assert profile.answered == 0
    assert profile.contributions == {"self": [], "other": []}


def test_off_scale_answer_is_rejected(specs: list[QuestionSpec]) -> None:
    """Scores are 1..5; anything else is a programming error, not a silent guess."""
    with pytest.raises(ValueError):
        score({"q01": 7}, specs)
    with pytest.raises(ValueError):
        score({"q01": "4"}, specs)  # type: ignore[dict-item]


def test_thresholds_are_exact_at_the_border(specs: list[QuestionSpec]) -> None:
    """A mean exactly one eighth from the border is decided, whatever float rounding does."""
    # self concern points (of 4): 3,3,2 forward and 3,2,2 reverse -> 15/24 = 5/8
    answers = answers_for(specs, 1, 1)
    answers.update({"q01": 4, "q05": 4, "q11": 3, "q03": 2, "q07": 3, "q09": 3})
    profile = score(answers, specs)
    assert profile.self_concern == pytest.approx(0.625)
    assert profile.self_level == "high"


# --- continuum ---------------------------------------------------------------


def test_secure_side_gets_no_continuum_statement(specs: list[QuestionSpec]) -> None:
    """Secure: the continuum block is skipped whatever the continuum answers."""
    profile = score(answers_for(specs, 1, 1, depth_level=5), specs)
    assert profile.style == "secure"
    assert profile.continuum is None
    assert profile.continuum_reason == "secure_side"


@pytest.mark.parametrize(
    ("depth_level", "expected", "reason"),
    [
        (1, "symptom", "given"),
        (2, "symptom", "given"),
        (3, None, "unclear"),
        (4, "traits", "given"),
        (5, "traits", "given"),
    ],
)
def test_continuum_follows_depth_answers(
    specs: list[QuestionSpec], depth_level: int, expected: str | None, reason: str
) -> None:
    """Low depth answers: a pattern under specific triggers; middle ones: nothing said."""
    answers = answers_for(specs, 4, 1, depth_level=depth_level)
    answers["q01"] = 3  # self concern 17/24: clearly anxious, below the strongest
    profile = score(answers, specs)
    assert profile.style == "anxious"
    assert profile.continuum == expected
    assert profile.continuum_reason == reason


@pytest.mark.parametrize("depth_level", [4, 5])
def test_strong_answers_everywhere_reach_structure(
    specs: list[QuestionSpec], depth_level: int
) -> None:
    """Strong style answers and deep continuum answers: the deepest level."""
    profile = score(answers_for(specs, 5, 5, depth_level=depth_level), specs)
    assert profile.continuum == "structure"


def test_no_symptom_level_for_strong_style_answers(specs: list[QuestionSpec]) -> None:
    """'A mostly secure base' does not fit very strong answers: nothing is said."""
    profile = score(answers_for(specs, 5, 5, depth_level=1), specs)
    assert profile.style == "disorganised"
    assert profile.continuum is None
    assert profile.continuum_reason == "unclear"


def test_stepping_back_keeps_out_of_structure(specs: list[QuestionSpec]) -> None:
    """Being able to step back now and then (Soms or more) rules out the deepest level."""
    answers = answers_for(specs, 5, 5, depth_level=5)
    assert score(answers, specs).continuum == "structure"
    assert score({**answers, "q16": 3}, specs).continuum == "traits"


def test_structure_needs_a_strong_style(specs: list[QuestionSpec]) -> None:
    """Deep continuum answers with a mild style stay at traits."""
    answers = answers_for(specs, 4, 2, depth_level=5)
    profile = score(answers, specs)
    assert profile.style == "anxious"
    assert profile.continuum == "traits"


@pytest.mark.parametrize("skipped", [("q15",), ("q16",), ("q13", "q14")])
def test_no_continuum_without_the_key_answers(
    specs: list[QuestionSpec], skipped: tuple[str, ...]
) -> None:
    """Without childhood or stepping back, or with two skipped, nothing is said about depth."""
    answers: dict[str, int | None] = dict(answers_for(specs, 5, 5, depth_level=5))
    for qid in skipped:
        answers[qid] = None
    profile = score(answers, specs)
    assert profile.style == "disorganised"
    assert profile.continuum is None
    assert profile.continuum_reason == "too_few"


def test_structure_needs_all_four_continuum_answers(specs: list[QuestionSpec]) -> None:
    """Three of four deep answers may place the result, but never at the deepest level."""
    answers: dict[str, int | None] = dict(answers_for(specs, 5, 5, depth_level=5))
    answers["q14"] = None
    assert score(answers, specs).continuum == "traits"


# --- contributions -------------------------------------------------------------


def test_contributions_name_the_strongest_answers_first(
    specs: list[QuestionSpec],
) -> None:
    """The answers that moved a dimension most come first and add up to the shift."""
    answers = answers_for(specs, 3, 3)
    strong = next(s for s in specs if s.id == "q05")
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


# --- the rated self-check --------------------------------------------------------


def test_self_check_estimate_follows_the_rq_formulas() -> None:
    """Self = (S+D)-(P+F), other = (S+P)-(D+F); concerns on the questionnaire's side."""
    estimate = self_check_estimate(
        {"secure": 6, "avoidant": 3, "anxious": 2, "disorganised": 1}
    )
    assert estimate is not None
    assert estimate.self_score == (6 + 3) - (2 + 1)
    assert estimate.other_score == (6 + 2) - (3 + 1)
    assert estimate.style == "secure"
    assert estimate.other_concern < 0.5 and estimate.self_concern < 0.5


@pytest.mark.parametrize(
    ("ratings", "style"),
    [
        ((7, 1, 1, 1), "secure"),
        ((1, 7, 1, 1), "avoidant"),
        ((1, 1, 7, 1), "anxious"),
        ((1, 1, 1, 7), "disorganised"),
        ((4, 4, 4, 4), None),
    ],
)
def test_self_check_estimate_picks_the_quadrant(
    ratings: tuple[int, int, int, int], style: str | None
) -> None:
    """The description rated highest gives its quadrant; equal ratings give none."""
    estimate = self_check_estimate(dict(zip(scoring.STYLES, ratings, strict=True)))
    assert estimate is not None
    assert estimate.style == style


def test_self_check_estimate_needs_all_four_ratings() -> None:
    """A missing rating gives no estimate; an off-scale rating is an error."""
    assert self_check_estimate({"secure": 5, "avoidant": 2, "anxious": 3}) is None
    with pytest.raises(ValueError):
        self_check_estimate(
            {"secure": 8, "avoidant": 2, "anxious": 3, "disorganised": 1}
        )


@pytest.mark.parametrize(
    ("levels", "ratings", "expected"),
    [
        ((5, 1), (1, 1, 7, 1), "agree"),
        ((5, 1), (7, 1, 1, 1), "partly"),
        ((5, 1), (1, 7, 1, 1), "differ"),
        ((5, 1), (4, 4, 4, 4), "not_comparable"),
    ],
)
def test_compare_with_self_check(
    specs: list[QuestionSpec],
    levels: tuple[int, int],
    ratings: tuple[int, int, int, int],
    expected: str,
) -> None:
    """Both estimates agree, partly agree, differ, or cannot be compared."""
    profile = score(answers_for(specs, *levels), specs)
    estimate = self_check_estimate(dict(zip(scoring.STYLES, ratings, strict=True)))
    assert estimate is not None
    assert compare_with_self_check(profile, estimate) == expected


def test_small_rating_differences_decide_nothing() -> None:
    """Ratings that lean only slightly one way give no quadrant."""
    estimate = self_check_estimate(
        {"secure": 5, "avoidant": 4, "anxious": 4, "disorganised": 3}
    )
    assert estimate is not None
    assert estimate.style is None


def test_compare_with_a_mixed_result_is_not_possible(specs: list[QuestionSpec]) -> None:
    """Answers the bot would not read as a style are not compared with the self-check."""
    profile = score({s.id: 4 for s in specs if s.dimension != "context"}, specs)
    assert profile.outcome == "mixed"
    estimate = self_check_estimate(
        {"secure": 1, "avoidant": 1, "anxious": 7, "disorganised": 1}
    )
    assert estimate is not None
    assert compare_with_self_check(profile, estimate) == "not_comparable"


def test_compare_without_a_questionnaire_estimate(specs: list[QuestionSpec]) -> None:
    """Too few answers: nothing to compare with."""
    estimate = self_check_estimate(
        {"secure": 7, "avoidant": 1, "anxious": 1, "disorganised": 1}
    )
    assert estimate is not None
    assert compare_with_self_check(score({}, specs), estimate) == "not_comparable"


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


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_answers_give_a_consistent_profile(
    specs: list[QuestionSpec], data: st.DataObject
) -> None:
    """Any answer set gives a consistent profile.

    Concerns in 0..1, a style only with outcome 'style' and in its quadrant,
    secure only when both dimensions are low, a check only when mixed.
    """
    answers = {
        s.id: data.draw(answer_values, label=s.id)
        for s in specs
        if s.dimension != "context"
    }
    profile = score(answers, specs)
    assert 0 <= profile.answered <= profile.total
    assert (profile.style is not None) == (profile.outcome == "style")
    assert (profile.response_check is not None) == (profile.outcome == "mixed")
    if profile.continuum is not None:
        assert profile.style not in (None, "secure")
    if profile.style is None:
        return
    assert profile.self_concern is not None and profile.other_concern is not None
    assert 0.0 <= profile.self_concern <= 1.0
    assert 0.0 <= profile.other_concern <= 1.0
    expected = {
        (False, False): "secure",
        (True, False): "anxious",
        (False, True): "avoidant",
        (True, True): "disorganised",
    }[(profile.self_concern > 0.5, profile.other_concern > 0.5)]
    assert profile.style == expected
    assert "high" in (profile.self_level, profile.other_level) or (
        profile.self_level == profile.other_level == "low"
    )
    assert profile.secondary_style != profile.style


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
