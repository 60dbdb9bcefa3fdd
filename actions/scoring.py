"""Pure scoring of the Hechtwijzer questionnaire (no Rasa import).

The model follows the article: two dimensions, the image of self (attachment
anxiety, ``self_concern``) and the image of the other (trust and expected
availability; avoidance, ``other_concern``), each scored 0..1 where high means
a more negative image. Each dimension has as many reverse-keyed as
forward-keyed questions, and every question is paired with an opposite-keyed
one of the same dimension.

Before any label is given, the answers are checked for response styles:
the same answer everywhere, agreeing (or disagreeing) with both directions,
and pairs that contradict each other. Then the result is ``mixed``: no style.
A style is given only when a dimension clearly leans to the negative side, or
both clearly lean to the positive side (secure); otherwise the outcome is
``no_pattern``. A continuum statement (symptom -> traits -> structure) needs
enough continuum answers, and the deepest level only follows from consistent,
strong answers.

Answers are 1..5 (``Nooit`` .. ``Bijna altijd``) or ``None`` (skipped or not
asked yet). Comparisons are exact (fractions), so no threshold depends on how
a float happens to round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, cast

from hechtwijzer_core.contract import STYLES

SCORED_DIMENSIONS = ("self", "other")
SKIPPED = "skipped"
"""Slot value stored for a skipped question."""

SCALE_MIN = 1
SCALE_MAX = 5
SCALE_MIDDLE = 3
POINTS = SCALE_MAX - SCALE_MIN
"""An item's concern in whole points: 0 (none) .. 4 (strongest)."""
BORDER = Fraction(1, 2)
"""Concern above this value points to a negative image."""
MIDDLE_BAND = Fraction(1, 8)
"""A dimension closer than this to the border counts as undecided ("middle")."""
MAX_SPREAD = Fraction(2, 9)
"""Mean distance of a dimension's answers to their mean above which the dimension
stays undecided: its questions scatter too widely to lean one way."""
CLEAR_DISTANCE = Fraction(1, 4)
"""Both dimensions at least this far from the border: a clear result."""
MIN_ANSWERED_FRACTION = Fraction(2, 3)
"""Below this share of answered questions in a dimension no result is given."""
FULL_ANSWERED_FRACTION = Fraction(5, 6)
"""Below this share the clarity is lowered one step."""

MIN_CHECKED_ITEMS = 8
"""Response-style checks need this many answered dimension questions."""
STRAIGHT_LINE_SHARE = Fraction(11, 12)
"""This share of identical answers on the dimension questions is straight-lining."""
ACQUIESCENCE_PAIR_SUM = Fraction(3, 2)
"""Mean of (forward + reverse answer - 6) over the pairs at or beyond which a person
agrees (or, negative, disagrees) with both directions."""
CONTRADICTION_STEPS = 3
"""A pair contradicts when its two answers sum at least this far from 6 (e.g. 5 and 4)."""
MAX_CONTRADICTIONS = 2
"""This many contradicting pairs make the answers point different ways."""

CONTINUUM_MIN_ANSWERS = 3
CONTINUUM_REQUIRED = ("childhood", "step_back")
"""Continuum roles that must be answered before anything is said about depth."""
TRAITS_FROM = Fraction(5, 8)
"""Mean continuum concern from which a pattern counts as a fixed reaction."""
SYMPTOM_BELOW = Fraction(3, 8)
"""Mean continuum concern below which the pattern shows only under specific triggers
(between the two, nothing is said: the answers sit in the middle)."""
SYMPTOM_CONCERN_BELOW = Fraction(3, 4)
"""... and only when the negative dimension(s) are below this: strong answers on the
dimensions do not fit "a mostly secure base"."""
STRUCTURE_ITEM_MIN = 4
"""For the deepest level every "+" continuum answer is at least this (Vaak) ..."""
STRUCTURE_STEP_BACK_MAX = 2
"""... and stepping back succeeds at most this often (Zelden)."""
STRUCTURE_CONCERN = Fraction(5, 6)
"""... and the negative dimension(s) of the style are at least this high."""

SELF_CHECK_MIN = 1
SELF_CHECK_MAX = 7
SELF_CHECK_DECIDED = 4
"""An RQ dimension score at least this far from 0 counts as leaning one way."""

Dimension = Literal["self", "other", "continuum", "context"]
Keyed = Literal["+", "-"]
Clarity = Literal["clear", "moderate", "unclear"]
ContinuumLevel = Literal["symptom", "traits", "structure"]
ContinuumReason = Literal["given", "secure_side", "too_few", "unclear", "no_style"]
Outcome = Literal["style", "no_pattern", "mixed", "too_few"]
AxisLevel = Literal["low", "middle", "high"]
CheckKind = Literal["straight_line", "acquiescence", "disacquiescence", "contradiction"]
Agreement = Literal["agree", "partly", "differ", "not_comparable"]

_DIMENSIONS: tuple[str, ...] = ("self", "other", "continuum", "context")
_KEYS: tuple[str, ...] = ("+", "-")
_CONTINUUM_ROLES: tuple[str, ...] = (
    "small_things",
    "breadth",
    "childhood",
    "step_back",
)
_CLARITY_STEPS: tuple[Clarity, ...] = ("clear", "moderate", "unclear")
_QUADRANTS: dict[tuple[bool, bool], str] = {
    (False, False): "secure",
    (True, False): "anxious",
    (False, True): "avoidant",
    (True, True): "disorganised",
}


@dataclass(frozen=True)
class QuestionSpec:
    """What the scoring needs to know about one question."""

    id: str
    dimension: Dimension
    keyed: Keyed
    pair: str | None = None
    """Scored dimensions: the opposite-keyed question of the same dimension."""
    role: str | None = None
    """Continuum: what the question asks (small_things, breadth, childhood, step_back)."""


@dataclass(frozen=True)
class ResponseCheck:
    """Why the answers cannot carry a label: a response style or contradictions."""

    kind: CheckKind
    pairs: tuple[tuple[str, str], ...] = ()
    """``(forward id, reverse id)`` pairs that point different ways, strongest first."""


@dataclass(frozen=True)
class Profile:
    """The outcome of one run through the questions."""

    outcome: Outcome
    self_concern: float | None
    """0..1, high = negative image of self (anxiety); None when too few answers."""
    other_concern: float | None
    """0..1, high = negative image of the other (avoidance); None when too few answers."""
    self_level: AxisLevel | None
    other_level: AxisLevel | None
    style: str | None
    """One of :data:`STYLES`, only when ``outcome == "style"``."""
    secondary_style: str | None
    """The neighbouring style when one dimension is undecided, else None."""
    clarity: Clarity | None
    continuum: ContinuumLevel | None
    """None: nothing is said about depth (see ``continuum_reason``)."""
    continuum_reason: ContinuumReason
    response_check: ResponseCheck | None
    answered: int
    """Scored questions (dimensions and continuum) with an answer."""
    total: int
    """Scored questions (dimensions and continuum) in the questionnaire."""
    contributions: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    """``"self"``/``"other"`` -> ``[(question_id, signed effect)]``, strongest first.

    The effect is how far that answer moved the concern away from the neutral
    0.5; the effects of a dimension add up to ``concern - 0.5``.
    """
    self_scattered: bool = False
    """The image of self is undecided because its answers do not hang together
    (they scatter, or the two directions disagree), not because they sit in the middle."""
    other_scattered: bool = False
    """The same for the image of the other."""


@dataclass(frozen=True)
class SelfCheckEstimate:
    """A second estimate of the two dimensions from the rated descriptions (RQ way)."""

    self_score: int
    """(S + D) - (P + F), -12..12, positive = positive image of self."""
    other_score: int
    """(S + P) - (D + F), -12..12, positive = positive image of the other."""
    self_concern: float
    other_concern: float
    style: str | None
    """The quadrant when both scores lean clearly one way, else None."""


def load_specs(raw: Sequence[Mapping[str, Any]]) -> list[QuestionSpec]:
    """Turn the ``questions`` list of ``questions.yml`` into checked specs.

    Raises ``ValueError`` on a missing or duplicate id, an unknown dimension or
    keying, or pairs that are not mutual, opposite-keyed and within one
    dimension, so a broken content file fails loudly at first use.
    """
    specs: list[QuestionSpec] = []
    seen: set[str] = set()
    for entry in raw:
        qid = str(entry.get("id") or "").strip()
        if not qid:
            raise ValueError(f"question without id: {dict(entry)!r}")
        if qid in seen:
            raise ValueError(f"duplicate question id: {qid}")
        dimension = str(entry.get("dimension", ""))
        if dimension not in _DIMENSIONS:
            raise ValueError(f"{qid}: unknown dimension {dimension!r}")
        keyed = str(entry.get("keyed", "+"))
        if keyed not in _KEYS:
            raise ValueError(f"{qid}: keyed must be '+' or '-', not {keyed!r}")
        pair = entry.get("pair")
        role = entry.get("role")
        if role is not None and (
            dimension != "continuum" or role not in _CONTINUUM_ROLES
        ):
            raise ValueError(f"{qid}: unknown continuum role {role!r}")
        seen.add(qid)
        specs.append(
            QuestionSpec(
                id=qid,
                dimension=cast(Dimension, dimension),
                keyed=cast(Keyed, keyed),
                pair=str(pair) if pair else None,
                role=str(role) if role else None,
            )
        )
    _check_pairs(specs)
    return specs


def _check_pairs(specs: Sequence[QuestionSpec]) -> None:
    """Pairs must be mutual, within one dimension and opposite-keyed."""
    by_id = {spec.id: spec for spec in specs}
    for spec in specs:
        if spec.pair is None:
            continue
        other = by_id.get(spec.pair)
        if (
            other is None
            or other.pair != spec.id
            or other.dimension != spec.dimension
            or other.keyed == spec.keyed
            or spec.dimension not in SCORED_DIMENSIONS
        ):
            raise ValueError(
                f"{spec.id}: pair {spec.pair!r} is not a valid opposite pair"
            )


def scored_specs(specs: Sequence[QuestionSpec]) -> list[QuestionSpec]:
    """The questions that count for the result (everything but the context)."""
    return [spec for spec in specs if spec.dimension != "context"]


def answers_from_slots(
    values: Mapping[str, Any], specs: Sequence[QuestionSpec]
) -> dict[str, int | None]:
    """Read answer slot values (``4``, ``"4"``, ``"skipped"``, ``None``) as 1..5 or None."""
    answers: dict[str, int | None] = {}
    for spec in scored_specs(specs):
        answers[spec.id] = _as_scale_value(values.get(spec.id))
    return answers


def _as_scale_value(value: Any) -> int | None:
    """Return ``value`` as an int on the scale, or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if SCALE_MIN <= number <= SCALE_MAX else None


def _checked_answer(qid: str, value: int | None) -> int | None:
    """Validate one answer value; raise ``ValueError`` when it is off the scale."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{qid}: answer must be an int 1..5 or None, not {value!r}")
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"{qid}: answer {value} is outside 1..5")
    return value


def item_points(value: int, keyed: Keyed) -> int:
    """An answer 1..5 as concern points 0..4, reversed for ``-`` keyed questions."""
    points = value - SCALE_MIN
    return POINTS - points if keyed == "-" else points


@dataclass(frozen=True)
class _Axis:
    concern: Fraction | None
    fraction: Fraction
    contributions: list[tuple[str, float]]
    consistent: bool = True
    """The forward- and the reverse-keyed questions lean the same way (strictly)
    and the answers do not scatter: only then can the dimension count as decided."""


def _axis(answers: Mapping[str, int], specs: Sequence[QuestionSpec]) -> _Axis:
    """Score one dimension from the answered questions."""
    items = [
        (spec.id, Fraction(item_points(answers[spec.id], spec.keyed), POINTS))
        for spec in specs
        if spec.id in answers
    ]
    if not specs:
        return _Axis(None, Fraction(0), [])
    fraction = Fraction(len(items), len(specs))
    contributions = [(qid, float((item - BORDER) / len(items))) for qid, item in items]
    contributions.sort(key=lambda pair: (-abs(pair[1]), pair[0]))
    if not items or fraction < MIN_ANSWERED_FRACTION:
        return _Axis(None, fraction, contributions)
    concern = sum((item for _, item in items), Fraction(0)) / len(items)
    halves = []
    for keyed in ("+", "-"):
        half = [
            Fraction(item_points(answers[spec.id], spec.keyed), POINTS)
            for spec in specs
            if spec.keyed == keyed and spec.id in answers
        ]
        if half:
            halves.append(sum(half, Fraction(0)) / len(half) - BORDER)
    agree = len(halves) < 2 or halves[0] * halves[1] > 0
    spread = sum((abs(item - concern) for _, item in items), Fraction(0)) / len(items)
    return _Axis(concern, fraction, contributions, agree and spread <= MAX_SPREAD)


def axis_level(concern: Fraction, consistent: bool = True) -> AxisLevel:
    """Low (positive image), middle (undecided) or high (negative image).

    A dimension whose forward- and reverse-keyed questions do not lean the same
    way, or whose answers scatter, stays undecided however far its mean is
    from the border.
    """
    if not consistent or abs(concern - BORDER) < MIDDLE_BAND:
        return "middle"
    return "high" if concern > BORDER else "low"


def response_check(
    answers: Mapping[str, int], specs: Sequence[QuestionSpec]
) -> ResponseCheck | None:
    """Straight-lining, (dis)agreeing with both directions, or contradicting pairs.

    Only the dimension questions count; with fewer than
    :data:`MIN_CHECKED_ITEMS` answered nothing is checked (the result is then
    too thin anyway).
    """
    dimension = [spec for spec in specs if spec.dimension in SCORED_DIMENSIONS]
    values = [answers[spec.id] for spec in dimension if spec.id in answers]
    if len(values) < MIN_CHECKED_ITEMS:
        return None
    pairs = _answered_pairs(answers, dimension)
    deviations = [(answers[f] + answers[r] - 2 * SCALE_MIDDLE, f, r) for f, r in pairs]
    most_common = max(values.count(value) for value in set(values))
    if Fraction(most_common, len(values)) >= STRAIGHT_LINE_SHARE:
        return ResponseCheck("straight_line", _strongest(deviations, 1))
    if deviations:
        mean = Fraction(sum(d for d, _, _ in deviations), len(deviations))
        if mean >= ACQUIESCENCE_PAIR_SUM:
            return ResponseCheck("acquiescence", _strongest(deviations, 1))
        if mean <= -ACQUIESCENCE_PAIR_SUM:
            return ResponseCheck("disacquiescence", _strongest(deviations, -1))
    contradicting = [
        (d, f, r) for d, f, r in deviations if abs(d) >= CONTRADICTION_STEPS
    ]
    if len(contradicting) >= MAX_CONTRADICTIONS:
        return ResponseCheck("contradiction", _strongest(contradicting, 0))
    return None


def _answered_pairs(
    answers: Mapping[str, int], specs: Sequence[QuestionSpec]
) -> list[tuple[str, str]]:
    """(forward id, reverse id) for every pair with both answers, in question order."""
    by_id = {spec.id: spec for spec in specs}
    pairs: list[tuple[str, str]] = []
    for spec in specs:
        if spec.keyed != "+" or spec.pair is None or spec.pair not in by_id:
            continue
        if spec.id in answers and spec.pair in answers:
            pairs.append((spec.id, spec.pair))
    return pairs


def _strongest(
    deviations: Sequence[tuple[int, str, str]], sign: int
) -> tuple[tuple[str, str], ...]:
    """The pairs that deviate most in the direction ``sign`` (0: either way)."""

    def weight(d: int) -> int:
        return abs(d) if sign == 0 else d * sign

    chosen = [(d, f, r) for d, f, r in deviations if weight(d) > 0]
    chosen.sort(key=lambda item: -weight(item[0]))
    return tuple((f, r) for _, f, r in chosen)


def _clarity(
    self_concern: Fraction, other_concern: Fraction, fraction: Fraction
) -> Clarity:
    """How clearly the point sits inside its quadrant, lowered for many skips."""
    nearest = min(abs(self_concern - BORDER), abs(other_concern - BORDER))
    if nearest >= CLEAR_DISTANCE:
        step = 0
    elif nearest >= MIDDLE_BAND:
        step = 1
    else:
        step = 2
    if fraction < FULL_ANSWERED_FRACTION:
        step = min(step + 1, len(_CLARITY_STEPS) - 1)
    return _CLARITY_STEPS[step]


def _style(
    self_level: AxisLevel,
    other_level: AxisLevel,
    self_concern: Fraction,
    other_concern: Fraction,
) -> tuple[str | None, str | None]:
    """(style, secondary) from the two levels; (None, None) when nothing stands out.

    Secure needs both dimensions clearly low. An insecure style needs at least
    one dimension clearly high; an undecided other dimension then gives the
    neighbouring style as the secondary one.
    """
    levels = (self_level, other_level)
    if levels == ("low", "low"):
        return "secure", None
    if "high" not in levels:
        return None, None
    self_high = self_concern > BORDER
    other_high = other_concern > BORDER
    style = _QUADRANTS[(self_high, other_high)]
    if self_level == "middle":
        return style, _QUADRANTS[(not self_high, other_high)]
    if other_level == "middle":
        return style, _QUADRANTS[(self_high, not other_high)]
    return style, None


def _continuum(
    style: str,
    self_concern: Fraction,
    other_concern: Fraction,
    answers: Mapping[str, int],
    specs: Sequence[QuestionSpec],
) -> tuple[ContinuumLevel | None, ContinuumReason]:
    """Place an insecure style on the continuum symptom -> traits -> structure.

    Nothing is said for the secure side or without enough continuum answers
    (at least :data:`CONTINUUM_MIN_ANSWERS`, including the childhood and the
    stepping-back question). The deepest level needs every answer to point
    that way: the reaction comes often with small things, in other
    relationships and since childhood, stepping back rarely succeeds, and the
    negative side of the style is strong.
    """
    if style == "secure":
        return None, "secure_side"
    answered = [spec for spec in specs if spec.id in answers]
    roles = {spec.role for spec in answered}
    if len(answered) < CONTINUUM_MIN_ANSWERS or not all(
        role in roles for role in CONTINUUM_REQUIRED
    ):
        return None, "too_few"
    depth = sum(
        (
            Fraction(item_points(answers[spec.id], spec.keyed), POINTS)
            for spec in answered
        ),
        Fraction(0),
    ) / len(answered)
    negative = [
        concern
        for concern, high in (
            (self_concern, style in ("anxious", "disorganised")),
            (other_concern, style in ("avoidant", "disorganised")),
        )
        if high
    ]
    deepest = (
        len(answered) == len(specs)
        and all(
            answers[spec.id] >= STRUCTURE_ITEM_MIN
            for spec in answered
            if spec.keyed == "+"
        )
        and all(
            answers[spec.id] <= STRUCTURE_STEP_BACK_MAX
            for spec in answered
            if spec.keyed == "-"
        )
        and all(concern >= STRUCTURE_CONCERN for concern in negative)
    )
    if deepest:
        return "structure", "given"
    if depth >= TRAITS_FROM:
        return "traits", "given"
    if depth < SYMPTOM_BELOW and all(
        concern < SYMPTOM_CONCERN_BELOW for concern in negative
    ):
        return "symptom", "given"
    return None, "unclear"


def score(answers: Mapping[str, int | None], specs: Sequence[QuestionSpec]) -> Profile:
    """Compute the profile of one run of answers.

    ``answers`` maps question ids to 1..5 or None (skipped / not answered);
    ids that are not in ``specs`` are ignored. Raises ``ValueError`` for an
    answer off the scale.
    """
    scored = scored_specs(specs)
    given: dict[str, int] = {}
    for spec in scored:
        value = _checked_answer(spec.id, answers.get(spec.id))
        if value is not None:
            given[spec.id] = value
    by_dimension = {
        name: [spec for spec in specs if spec.dimension == name]
        for name in (*SCORED_DIMENSIONS, "continuum")
    }
    self_axis = _axis(given, by_dimension["self"])
    other_axis = _axis(given, by_dimension["other"])
    contributions = {
        "self": self_axis.contributions,
        "other": other_axis.contributions,
    }
    base: dict[str, Any] = {
        "answered": len(given),
        "total": len(scored),
        "contributions": contributions,
    }
    if self_axis.concern is None or other_axis.concern is None:
        return Profile(
            outcome="too_few",
            self_concern=_as_float(self_axis.concern),
            other_concern=_as_float(other_axis.concern),
            self_level=None,
            other_level=None,
            style=None,
            secondary_style=None,
            clarity=None,
            continuum=None,
            continuum_reason="no_style",
            response_check=None,
            **base,
        )
    self_level = axis_level(self_axis.concern, self_axis.consistent)
    other_level = axis_level(other_axis.concern, other_axis.consistent)
    levels: dict[str, Any] = {
        "self_concern": float(self_axis.concern),
        "other_concern": float(other_axis.concern),
        "self_level": self_level,
        "other_level": other_level,
        "self_scattered": _scattered(self_axis),
        "other_scattered": _scattered(other_axis),
    }
    check = response_check(given, scored)
    style, secondary = (None, None)
    if check is None:
        style, secondary = _style(
            self_level, other_level, self_axis.concern, other_axis.concern
        )
    if style is None:
        return Profile(
            outcome="mixed" if check is not None else "no_pattern",
            style=None,
            secondary_style=None,
            clarity=None,
            continuum=None,
            continuum_reason="no_style",
            response_check=check,
            **levels,
            **base,
        )
    continuum, reason = _continuum(
        style, self_axis.concern, other_axis.concern, given, by_dimension["continuum"]
    )
    return Profile(
        outcome="style",
        style=style,
        secondary_style=secondary,
        clarity=_clarity(
            self_axis.concern,
            other_axis.concern,
            min(self_axis.fraction, other_axis.fraction),
        ),
        continuum=continuum,
        continuum_reason=reason,
        response_check=None,
        **levels,
        **base,
    )


def _scattered(axis: _Axis) -> bool:
    """Undecided only because the answers do not hang together (not a middle mean)."""
    if axis.concern is None or axis.consistent:
        return False
    return abs(axis.concern - BORDER) >= MIDDLE_BAND


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


# --- the rated self-check ------------------------------------------------------


def self_check_estimate(ratings: Mapping[str, int | None]) -> SelfCheckEstimate | None:
    """Both dimensions from four ratings 1..7 of the style descriptions (RQ way).

    ``ratings`` is keyed by style code. Self = (S + D) - (P + F) and other =
    (S + P) - (D + F), with S secure, D the avoidant (dismissing), P the
    anxious (preoccupied) and F the disorganised (fearful) description.
    Returns None when a rating is missing; raises ``ValueError`` off the scale.
    """
    values: dict[str, int] = {}
    for code in STYLES:
        value = ratings.get(code)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{code}: rating must be an int, not {value!r}")
        if not SELF_CHECK_MIN <= value <= SELF_CHECK_MAX:
            raise ValueError(f"{code}: rating {value} is outside 1..7")
        values[code] = value
    s, d = values["secure"], values["avoidant"]
    p, f = values["anxious"], values["disorganised"]
    self_score = (s + d) - (p + f)
    other_score = (s + p) - (d + f)
    span = 2 * (SELF_CHECK_MAX - SELF_CHECK_MIN)
    style: str | None = None
    if min(abs(self_score), abs(other_score)) >= SELF_CHECK_DECIDED:
        style = _QUADRANTS[(self_score < 0, other_score < 0)]
    return SelfCheckEstimate(
        self_score=self_score,
        other_score=other_score,
        self_concern=float(Fraction(span - self_score, 2 * span)),
        other_concern=float(Fraction(span - other_score, 2 * span)),
        style=style,
    )


def _estimate_level(score: int) -> AxisLevel:
    if abs(score) < SELF_CHECK_DECIDED:
        return "middle"
    return "low" if score > 0 else "high"


def compare_with_self_check(profile: Profile, estimate: SelfCheckEstimate) -> Agreement:
    """Tell whether the questions and the rated descriptions point the same way.

    Per dimension: agree (both lean the same way), differ (opposite ways) or
    unknown (either is undecided). Both agree: ``agree``; no agreement at all:
    ``differ``; a mix: ``partly``. Without a questionnaire estimate, or with
    nothing decided, the two cannot be compared.
    """
    if profile.outcome in ("mixed", "too_few"):
        return "not_comparable"
    if profile.self_level is None or profile.other_level is None:
        return "not_comparable"
    verdicts = []
    for mine, theirs in (
        (profile.self_level, _estimate_level(estimate.self_score)),
        (profile.other_level, _estimate_level(estimate.other_score)),
    ):
        if "middle" in (mine, theirs):
            verdicts.append("unknown")
        else:
            verdicts.append("agree" if mine == theirs else "differ")
    if verdicts == ["unknown", "unknown"]:
        return "not_comparable"
    if "agree" not in verdicts:
        return "differ"
    if verdicts == ["agree", "agree"]:
        return "agree"
    return "partly"
