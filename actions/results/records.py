"""The stored results: one JSON-safe record per relationship in the ``profiles`` slot.

A record (newer fields may be missing in records stored before they existed;
:func:`normalised` fills them in)::

    {"outcome": "style", "self": 0.71, "other": 0.32,
     "self_level": "high", "other_level": "low",
     "self_scattered": False, "other_scattered": False,
     "style": "anxious", "secondary": None, "clarity": "clear",
     "continuum": "traits", "continuum_reason": "given",
     "answered": 16, "total": 16, "seq": 1,
     "why": {"self": [["q03", 0.21, 4], ...], "other": [...]},
     "answers": {"q01": 4, ...},
     "response_check": None | {"kind": "contradiction", "pairs": [["q01", "q03"]]},
     "self_check": None | {"ratings": {...}, "agreement": "agree", "style": "anxious"}}

``seq`` orders the records (the highest is the latest result).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from rasa_sdk import Tracker

from actions.results.content import CONTEXTS, GENERAL_CONTEXT, LEVELS, specs
from actions.scoring import (
    STYLES,
    Profile,
    ResponseCheck,
    answers_from_slots,
)
from hechtwijzer_core.contract import CONTEXT_SLOT, PROFILES_SLOT

#: How many answers per dimension the explanation names.
EXPLAIN_TOP = 3
STORED_OUTCOMES = ("style", "no_pattern", "mixed")
CONTINUUM_STATEMENTS = ("symptom", "traits", "structure")

CHECK_KINDS = ("straight_line", "acquiescence", "disacquiescence", "contradiction")
#: How many pairs of a mixed result are listed (and offered again, for contradictions).
LISTED_PAIRS = 2

Record = Dict[str, Any]


def answers_from_tracker(tracker: Tracker) -> Dict[str, Optional[int]]:
    """Collect the answers of all scored questions from their slots (1..5 or None)."""
    all_specs = specs()
    return answers_from_slots(
        {spec.id: tracker.get_slot(spec.id) for spec in all_specs}, all_specs
    )


def context_of(tracker: Tracker) -> str:
    """Return the relationship context code of this round (``general`` if unknown)."""
    value = tracker.get_slot(CONTEXT_SLOT)
    return str(value) if value in CONTEXTS else GENERAL_CONTEXT


def _number(value: Any) -> Optional[float]:
    """A float from a stored number, None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def normalised(record: Mapping[str, Any]) -> Optional[Record]:
    """Return a stored record with every field present, or None when unusable.

    Records from before outcomes existed have a style and no ``outcome``: they
    count as ``style``. Their old continuum value ``secure`` means no statement.
    """
    style = record.get("style")
    outcome = record.get("outcome") or ("style" if style in STYLES else None)
    if outcome not in STORED_OUTCOMES or (outcome == "style" and style not in STYLES):
        return None
    result = dict(record)
    continuum = record.get("continuum")
    continuum = continuum if continuum in CONTINUUM_STATEMENTS else None
    reason = record.get("continuum_reason") or ("given" if continuum else "no_style")
    secondary = record.get("secondary")
    result.update(
        outcome=outcome,
        style=style if outcome == "style" else None,
        secondary=secondary if secondary in STYLES and secondary != style else None,
        self=_number(record.get("self")),
        other=_number(record.get("other")),
        self_level=(
            record.get("self_level") if record.get("self_level") in LEVELS else None
        ),
        other_level=(
            record.get("other_level") if record.get("other_level") in LEVELS else None
        ),
        self_scattered=record.get("self_scattered") is True,
        other_scattered=record.get("other_scattered") is True,
        continuum=continuum,
        continuum_reason=str(reason),
        seq=int(record.get("seq") or 0),
        why=record.get("why") if isinstance(record.get("why"), Mapping) else {},
        answers=(
            dict(record["answers"])
            if isinstance(record.get("answers"), Mapping)
            else {}
        ),
        response_check=(
            record.get("response_check")
            if isinstance(record.get("response_check"), Mapping)
            else None
        ),
        self_check=(
            record.get("self_check")
            if isinstance(record.get("self_check"), Mapping)
            else None
        ),
    )
    return result


def stored_profiles(tracker: Tracker) -> Dict[str, Record]:
    """Return the ``profiles`` slot as a dict of usable records (empty if unset)."""
    return profiles_from_value(tracker.get_slot(PROFILES_SLOT))


def profiles_from_value(value: Any) -> Dict[str, Record]:
    """Return the usable records of a ``profiles`` slot value."""
    if not isinstance(value, Mapping):
        return {}
    found: Dict[str, Record] = {}
    for key, record in value.items():
        if isinstance(record, Mapping):
            usable = normalised(record)
            if usable is not None:
                found[str(key)] = usable
    return found


def ordered(profiles: Mapping[str, Record]) -> List[Tuple[str, Record]]:
    """Return the profiles oldest first (by ``seq``)."""
    return sorted(profiles.items(), key=lambda item: int(item[1].get("seq") or 0))


def latest(profiles: Mapping[str, Record]) -> Optional[Tuple[str, Record]]:
    """Return the most recent (context, record), or None when there is none."""
    items = ordered(profiles)
    return items[-1] if items else None


def _rounded(value: Optional[float]) -> Optional[float]:
    """A concern rounded for storage."""
    return None if value is None else round(float(value), 3)


def profile_record(
    profile: Profile, seq: int, answers: Mapping[str, Optional[int]]
) -> Record:
    """Turn a Profile into the JSON-safe record kept in the ``profiles`` slot.

    ``why`` keeps the strongest contributions per dimension as
    ``[question_id, signed effect, answer 1..5]``.
    """
    why = {
        dimension: [
            [str(qid), round(float(effect), 4), answers.get(str(qid))]
            for qid, effect in profile.contributions.get(dimension, [])
            if effect
        ][:EXPLAIN_TOP]
        for dimension in ("self", "other")
    }
    check = profile.response_check
    return {
        "outcome": profile.outcome,
        "self": _rounded(profile.self_concern),
        "other": _rounded(profile.other_concern),
        "self_level": profile.self_level,
        "other_level": profile.other_level,
        "self_scattered": profile.self_scattered,
        "other_scattered": profile.other_scattered,
        "style": profile.style,
        "secondary": profile.secondary_style,
        "continuum": profile.continuum,
        "continuum_reason": profile.continuum_reason,
        "clarity": profile.clarity,
        "answered": profile.answered,
        "total": profile.total,
        "seq": seq,
        "why": why,
        "answers": {str(qid): value for qid, value in answers.items()},
        "response_check": (
            None
            if check is None
            else {"kind": check.kind, "pairs": [list(pair) for pair in check.pairs]}
        ),
        "self_check": None,
    }


def with_record(
    profiles: Mapping[str, Record],
    context: str,
    profile: Profile,
    answers: Mapping[str, Optional[int]],
) -> Dict[str, Record]:
    """Return ``profiles`` with this round's record stored (replacing the same context)."""
    seq = max((int(r.get("seq") or 0) for r in profiles.values()), default=0) + 1
    updated = {key: dict(value) for key, value in profiles.items()}
    updated[context] = profile_record(profile, seq, answers)
    return updated


def profile_from_record(record: Mapping[str, Any]) -> Profile:
    """Rebuild the Profile of a stored record (contributions left out)."""
    check = record.get("response_check")
    response_check = (
        ResponseCheck(
            kind=check.get("kind", "contradiction"),
            pairs=tuple(
                (str(pair[0]), str(pair[1]))
                for pair in check.get("pairs") or []
                if len(pair) == 2
            ),
        )
        if isinstance(check, Mapping)
        else None
    )
    return Profile(
        outcome=record["outcome"],
        self_concern=record.get("self"),
        other_concern=record.get("other"),
        self_level=record.get("self_level"),
        other_level=record.get("other_level"),
        style=record.get("style"),
        secondary_style=record.get("secondary"),
        clarity=record.get("clarity"),
        continuum=record.get("continuum"),
        continuum_reason=record.get("continuum_reason") or "no_style",
        response_check=response_check,
        answered=int(record.get("answered") or 0),
        total=int(record.get("total") or 0),
        contributions={},
        self_scattered=record.get("self_scattered") is True,
        other_scattered=record.get("other_scattered") is True,
    )


def mixed_pairs(record: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """The (forward, reverse) question pairs that pointed different ways."""
    check = record.get("response_check")
    if not isinstance(check, Mapping):
        return []
    return [
        (str(pair[0]), str(pair[1]))
        for pair in check.get("pairs") or []
        if isinstance(pair, (list, tuple)) and len(pair) == 2
    ]


def check_kind(record: Mapping[str, Any]) -> str:
    """The kind of response check of a mixed record (``contradiction`` when unknown)."""
    check = record.get("response_check")
    kind = check.get("kind") if isinstance(check, Mapping) else None
    return str(kind) if kind in CHECK_KINDS else "contradiction"


def listed_pairs(record: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """The pairs a mixed result shows (the strongest, at most :data:`LISTED_PAIRS`)."""
    return mixed_pairs(record)[:LISTED_PAIRS]


def mixed_offer(record: Mapping[str, Any]) -> str:
    """What a mixed result offers.

    ``revisit`` the listed pairs, ``revisit_more`` (also start over: more pairs
    contradicted) or ``restart`` (a response style, where answering single
    questions again does not help).
    """
    pairs = mixed_pairs(record)
    if check_kind(record) != "contradiction" or not pairs:
        return "restart"
    return "revisit" if len(pairs) <= LISTED_PAIRS else "revisit_more"


def offers_depth(record: Mapping[str, Any]) -> bool:
    """Whether "Zit het diep?" has something to tell.

    That is a statement, or continuum answers that were given but allow none;
    a missing answer is named in "Waarom kom ik hier uit?".
    """
    return record.get("outcome") == "style" and (
        record.get("continuum") in CONTINUUM_STATEMENTS
        or record.get("continuum_reason") == "unclear"
    )
