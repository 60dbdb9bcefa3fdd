"""Pure scoring of the Hechtwijzer questionnaire (no Rasa import).

The model follows the article: two dimensions, the image of self (attachment
anxiety, ``self_concern``) and the image of the other (avoidance,
``other_concern``), each scored 0..1 where high means a more negative image.
Their combination gives one of four styles; a third group of questions places
an insecure style on the continuum symptom -> traits -> structure.

Answers are 1..5 (``Nooit`` .. ``Bijna altijd``) or ``None`` (skipped or not
asked yet). Everything here is deterministic and side-effect free, so the
results concern can call :func:`score` wherever it needs a profile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

STYLES = ("secure", "avoidant", "anxious", "disorganised")
CONTINUUM_LEVELS = ("secure", "symptom", "traits", "structure")
SCORED_DIMENSIONS = ("self", "other")
SKIPPED = "skipped"
"""Slot value stored for a skipped question."""

SCALE_MIN = 1
SCALE_MAX = 5
BORDER = 0.5
"""Concern above this value counts as a negative image."""
MIN_ANSWERED_FRACTION = 0.6
"""Below this share of answered questions in a dimension no style is given."""
FULL_ANSWERED_FRACTION = 0.8
"""Below this share the clarity is lowered one step."""
SECONDARY_MARGIN = 0.1
"""A concern closer than this to the border gives a secondary style."""
CLEAR_DISTANCE = 0.2
"""Distance to the nearest border from which the result counts as clear."""
CONTINUUM_ITEM_WEIGHT = 0.65
"""Weight of the continuum answers against the extremity of the dimension scores."""
TRAITS_FROM = 0.4
STRUCTURE_FROM = 0.7
REFERENCE_POINT_VALUE = 4
"""A reverse-keyed continuum answer this high means there is an inner reference point."""

Dimension = Literal["self", "other", "continuum", "context"]
Keyed = Literal["+", "-"]
Clarity = Literal["clear", "moderate", "unclear"]
ContinuumLevel = Literal["secure", "symptom", "traits", "structure"]

_DIMENSIONS: tuple[str, ...] = ("self", "other", "continuum", "context")
_KEYS: tuple[str, ...] = ("+", "-")
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


@dataclass(frozen=True)
class Profile:
    """The outcome of one run through the questions."""

    self_concern: float | None
    """0..1, high = negative image of self (anxiety); None when too few answers."""
    other_concern: float | None
    """0..1, high = negative image of the other (avoidance); None when too few answers."""
    style: str | None
    """One of :data:`STYLES`, None when too few answers."""
    secondary_style: str | None
    """The neighbouring style when the person sits near a border, else None."""
    clarity: Clarity | None
    continuum: ContinuumLevel | None
    answered: int
    """Scored questions (dimensions and continuum) with an answer."""
    total: int
    """Scored questions (dimensions and continuum) in the questionnaire."""
    contributions: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    """``"self"``/``"other"`` -> ``[(question_id, signed effect)]``, strongest first.

    The effect is how far that answer moved the concern away from the neutral
    0.5; the effects of a dimension add up to ``concern - 0.5``.
    """


def load_specs(raw: Sequence[Mapping[str, Any]]) -> list[QuestionSpec]:
    """Turn the ``questions`` list of ``questions.yml`` into checked specs.

    Raises ``ValueError`` on a missing or duplicate id, an unknown dimension or
    an unknown keying, so a broken content file fails loudly at first use.
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
        seen.add(qid)
        specs.append(
            QuestionSpec(
                id=qid, dimension=cast(Dimension, dimension), keyed=cast(Keyed, keyed)
            )
        )
    return specs


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


def _item_concern(value: int, keyed: Keyed) -> float:
    """Map an answer 1..5 to 0..1 concern, reversed for ``-`` keyed questions."""
    position = (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
    return 1.0 - position if keyed == "-" else position


def _checked_answer(qid: str, value: int | None) -> int | None:
    """Validate one answer value; raise ``ValueError`` when it is off the scale."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{qid}: answer must be an int 1..5 or None, not {value!r}")
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"{qid}: answer {value} is outside 1..5")
    return value


def _dimension_score(
    answers: Mapping[str, int | None], specs: Sequence[QuestionSpec]
) -> tuple[float | None, float, list[tuple[str, float]]]:
    """Score one dimension: (concern or None, answered fraction, contributions)."""
    items = [
        (spec.id, _item_concern(value, spec.keyed))
        for spec in specs
        if (value := _checked_answer(spec.id, answers.get(spec.id))) is not None
    ]
    if not specs:
        return None, 0.0, []
    fraction = len(items) / len(specs)
    contributions = [(qid, (item - BORDER) / len(items)) for qid, item in items]
    contributions.sort(key=lambda pair: (-abs(pair[1]), pair[0]))
    if not items or fraction < MIN_ANSWERED_FRACTION:
        return None, fraction, contributions
    concern = sum(item for _, item in items) / len(items)
    return concern, fraction, contributions


def _style_of(self_concern: float, other_concern: float) -> str:
    """The quadrant of a point (high = above the border)."""
    return _QUADRANTS[(self_concern > BORDER, other_concern > BORDER)]


def _secondary_style(self_concern: float, other_concern: float) -> str | None:
    """The neighbouring quadrant across the nearest border, when it is near."""
    self_distance = abs(self_concern - BORDER)
    other_distance = abs(other_concern - BORDER)
    if min(self_distance, other_distance) >= SECONDARY_MARGIN:
        return None
    self_high = self_concern > BORDER
    other_high = other_concern > BORDER
    if self_distance <= other_distance:
        return _QUADRANTS[(not self_high, other_high)]
    return _QUADRANTS[(self_high, not other_high)]


def _clarity(self_concern: float, other_concern: float, fraction: float) -> Clarity:
    """How clearly the point sits inside its quadrant, lowered for many skips."""
    nearest = min(abs(self_concern - BORDER), abs(other_concern - BORDER))
    if nearest >= CLEAR_DISTANCE:
        step = 0
    elif nearest >= SECONDARY_MARGIN:
        step = 1
    else:
        step = 2
    if fraction < FULL_ANSWERED_FRACTION:
        step = min(step + 1, len(_CLARITY_STEPS) - 1)
    return _CLARITY_STEPS[step]


def _continuum(
    style: str,
    self_concern: float,
    other_concern: float,
    answers: Mapping[str, int | None],
    specs: Sequence[QuestionSpec],
) -> ContinuumLevel:
    """Place the result on the continuum secure -> symptom -> traits -> structure.

    Frequency, breadth and an early start (``+`` keyed) push deeper; being able
    to notice the pattern and step out of it (``-`` keyed) pulls back, and a
    clear "yes" to that keeps the result out of ``structure`` (there is an
    inner reference point). The extremity of the dimension scores adds to it.
    """
    if style == "secure":
        return "secure"
    extremity = max(self_concern - BORDER, other_concern - BORDER, 0.0) / BORDER
    answered = [
        (spec, value)
        for spec in specs
        if (value := _checked_answer(spec.id, answers.get(spec.id))) is not None
    ]
    if answered:
        items = sum(_item_concern(value, spec.keyed) for spec, value in answered)
        depth = (
            CONTINUUM_ITEM_WEIGHT * items / len(answered)
            + (1 - CONTINUUM_ITEM_WEIGHT) * extremity
        )
    else:
        depth = extremity
    has_reference_point = any(
        spec.keyed == "-" and value >= REFERENCE_POINT_VALUE for spec, value in answered
    )
    if depth >= STRUCTURE_FROM and not has_reference_point:
        return "structure"
    if depth >= TRAITS_FROM:
        return "traits"
    return "symptom"


def score(answers: Mapping[str, int | None], specs: Sequence[QuestionSpec]) -> Profile:
    """Compute the profile of one run of answers.

    ``answers`` maps question ids to 1..5 or None (skipped / not answered);
    ids that are not in ``specs`` are ignored. Raises ``ValueError`` for an
    answer off the scale.
    """
    by_dimension = {
        name: [spec for spec in specs if spec.dimension == name]
        for name in (*SCORED_DIMENSIONS, "continuum")
    }
    self_concern, self_fraction, self_contrib = _dimension_score(
        answers, by_dimension["self"]
    )
    other_concern, other_fraction, other_contrib = _dimension_score(
        answers, by_dimension["other"]
    )
    scored = scored_specs(specs)
    answered = sum(
        1
        for spec in scored
        if _checked_answer(spec.id, answers.get(spec.id)) is not None
    )
    contributions = {"self": self_contrib, "other": other_contrib}
    if self_concern is None or other_concern is None:
        return Profile(
            self_concern=self_concern,
            other_concern=other_concern,
            style=None,
            secondary_style=None,
            clarity=None,
            continuum=None,
            answered=answered,
            total=len(scored),
            contributions=contributions,
        )
    style = _style_of(self_concern, other_concern)
    return Profile(
        self_concern=self_concern,
        other_concern=other_concern,
        style=style,
        secondary_style=_secondary_style(self_concern, other_concern),
        clarity=_clarity(
            self_concern, other_concern, min(self_fraction, other_fraction)
        ),
        continuum=_continuum(
            style, self_concern, other_concern, answers, by_dimension["continuum"]
        ),
        answered=answered,
        total=len(scored),
        contributions=contributions,
    )
