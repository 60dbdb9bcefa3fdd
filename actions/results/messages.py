"""The Dutch messages of a result, built from stored records (pure, no Rasa calls)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from actions.results.content import (
    answer_label,
    axis_name,
    axis_state,
    context_intro,
    context_label,
    context_name,
    context_note,
    format_words,
    level_sentences,
    question_items,
    question_number,
    short_question,
    specs,
    style_adjective,
    texts,
    words,
)
from actions.results.records import (
    Record,
    check_kind,
    listed_pairs,
    mixed_offer,
    ordered,
)
from actions.scoring import (
    CONTINUUM_REQUIRED,
    POINTS,
    SCORED_DIMENSIONS,
    STYLES,
    SYMPTOM_BELOW,
    item_points,
)

CONTINUUM_IDS_DIMENSION = "continuum"
AXES = ("self", "other")


def _scale_value(value: Any) -> Optional[int]:
    """A stored answer 1..5, or None (skipped, missing, anything else)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= 5 else None


def dimension_counts(record: Mapping[str, Any]) -> Tuple[int, int]:
    """(answered, total) of the questions about the two axes.

    The continuum questions do not change the style, so a skipped one does not
    thin it. Records without stored answers fall back to their overall counts.
    """
    answers: Mapping[str, Any] = record.get("answers") or {}
    if not answers:
        return int(record.get("answered") or 0), int(record.get("total") or 0)
    ids = [spec.id for spec in specs() if spec.dimension in SCORED_DIMENSIONS]
    answered = sum(1 for qid in ids if _scale_value(answers.get(qid)) is not None)
    return answered, len(ids)


def _secondary_sentence(record: Mapping[str, Any]) -> str:
    """The neighbouring style: near the border, or an axis that does not point one way."""
    section = texts()["headline"]
    secondary = style_adjective(str(record["secondary"]))
    for axis in AXES:
        if axis_state(record, axis) == "scattered":
            return format_words(
                section["secondary_scattered"],
                axis=axis_name(axis),
                secondary=secondary,
            )
    return format_words(section["secondary"], secondary=secondary)


def _no_pattern_axes(record: Mapping[str, Any]) -> List[str]:
    """One sentence per axis: in the middle only when it is, scattered when it is."""
    table: Mapping[str, Any] = texts()["headline"]["no_pattern_axes"]
    states = [axis_state(record, axis) for axis in AXES]
    if states == ["middle", "middle"]:
        return [str(table["both_middle"]).strip()]
    return [
        str(table[axis][state]).strip()
        for axis, state in zip(AXES, states, strict=True)
        if state in table[axis]
    ]


def headline(record: Mapping[str, Any], context: str) -> str:
    """The first bubble of a result: the pattern in a few sentences."""
    outcome = record["outcome"]
    section = texts()["headline"]
    intro = context_intro(context)
    if outcome == "style":
        style = str(record["style"])
        parts = [
            format_words(
                section["style"],
                intro=intro,
                adjective=style_adjective(style),
                gist=str(section["gist"][style]).strip(),
            ),
            context_note(context, "style"),
        ]
        if record.get("secondary"):
            parts.append(_secondary_sentence(record))
        if record.get("clarity") == "unclear":
            parts.append(str(section["unclear"]).strip())
        elif record.get("secondary"):
            parts.append(str(section["tentative"]).strip())
    elif outcome == "no_pattern":
        parts = [
            format_words(section["no_pattern"], intro=intro),
            *_no_pattern_axes(record),
            str(section["no_pattern_meaning"]).strip(),
            context_note(context, "no_pattern"),
        ]
    else:
        return mixed_text(record, context)
    answered, total = dimension_counts(record)
    if answered < total:
        parts.append(format_words(section["partial"], answered=answered, total=total))
    return " ".join(part for part in parts if part)


def mixed_text(record: Mapping[str, Any], context: str) -> str:
    """Say kindly that the answers point different ways, show at most two pairs, offer a way on."""
    section = texts()["headline"]
    kind = check_kind(record)
    opening = format_words(section["mixed_kind"][kind], intro=context_intro(context))
    offer = str(section["mixed_offer"][mixed_offer(record)]).strip()
    pairs = listed_pairs(record)
    if not pairs:
        return f"{opening} {offer}"
    answers: Mapping[str, Any] = record.get("answers") or {}
    intro_key = "contradiction" if kind == "contradiction" else "same_answer"
    lines = [f"{opening} {str(section['mixed_pairs_intro'][intro_key]).strip()}"]
    for first, second in pairs:
        lines.append(
            format_words(
                section["mixed_pair"],
                first_number=question_number(first),
                first_text=short_question(first),
                first_answer=answer_label(answers.get(first)) or "-",
                second_number=question_number(second),
                second_text=short_question(second),
                second_answer=answer_label(answers.get(second)) or "-",
            )
        )
    lines.append(offer)
    return "\n".join(lines)


def dimensions_text(record: Mapping[str, Any]) -> str:
    """The two axes in plain words, without a style label."""
    return "\n".join([words("dimensions", "intro"), *level_sentences(record)])


def topic_text(topic: str, record: Optional[Mapping[str, Any]]) -> str:
    """One short bubble about stress, love, work or growth for this result."""
    if record is None:
        return words("topics", "no_result")
    style = record.get("style")
    if record.get("outcome") != "style" or style not in STYLES:
        return (
            words("topics", topic, "general")
            if topic == "growth"
            else words("topics", "no_style")
        )
    return words("topics", topic, str(style))


def _continuum_answers(record: Mapping[str, Any]) -> Dict[str, int]:
    """Map each answered continuum question's role to its answer 1..5."""
    answers: Mapping[str, Any] = record.get("answers") or {}
    found: Dict[str, int] = {}
    for spec in specs():
        value = _scale_value(answers.get(spec.id))
        if spec.dimension == CONTINUUM_IDS_DIMENSION and value is not None:
            found[str(spec.role or spec.id)] = value
    return found


def _low_depth(record: Mapping[str, Any]) -> bool:
    """Whether the continuum answers point to "only at certain moments".

    That is: their mean concern is below the scoring's symptom border.
    """
    answers: Mapping[str, Any] = record.get("answers") or {}
    points = [
        item_points(value, spec.keyed)
        for spec in specs()
        if spec.dimension == CONTINUUM_IDS_DIMENSION
        and (value := _scale_value(answers.get(spec.id))) is not None
    ]
    return bool(points) and Fraction(sum(points), POINTS * len(points)) < SYMPTOM_BELOW


def depth_reason(record: Mapping[str, Any]) -> Tuple[str, Dict[str, Any]]:
    """Why nothing is said about depth, as (content key, values for its template).

    ``missing_one``/``missing_both`` name only the required continuum answer(s)
    that are missing; ``too_few`` counts the continuum answers; ``unclear_middle``
    and ``unclear_strong`` tell why the given answers allow no statement.
    """
    reason = str(record.get("continuum_reason") or "no_style")
    if record.get("outcome") != "style":
        return "no_style", {}
    if reason in ("secure_side", "no_style"):
        return reason, {}
    if reason == "unclear":
        return ("unclear_strong" if _low_depth(record) else "unclear_middle"), {}
    given = _continuum_answers(record)
    missing = [role for role in CONTINUUM_REQUIRED if role not in given]
    if missing:
        names: Mapping[str, str] = texts()["depth"]["missing_names"]
        joined = str(texts()["depth"]["missing_join"]).join(
            str(names[role]) for role in missing
        )
        key = "missing_one" if len(missing) == 1 else "missing_both"
        return key, {"missing": joined}
    return "too_few", {"answered": len(given)}


def depth_text(record: Optional[Mapping[str, Any]]) -> str:
    """The honest answer to "zit het diep?" (a clinician's view, always hedged)."""
    if record is None:
        return words("topics", "no_result")
    continuum = record.get("continuum")
    if record.get("outcome") == "style" and continuum in (
        "symptom",
        "traits",
        "structure",
    ):
        return f"{words('depth', 'intro')} {words('depth', str(continuum))}"
    key, values = depth_reason(record)
    return format_words(texts()["depth"][key], **values)


def _continuum_ids() -> List[str]:
    """Ids of the continuum questions."""
    return [
        str(item["id"])
        for item in question_items()
        if item.get("dimension") == CONTINUUM_IDS_DIMENSION
    ]


def continuum_explanation(record: Mapping[str, Any]) -> str:
    """Which continuum answers counted for "zit het diep?" (or why none did)."""
    section = texts()["explain"]
    answers: Mapping[str, Any] = record.get("answers") or {}
    parts = [
        format_words(
            section["continuum_answer"],
            question=short_question(qid),
            answer=answer_label(answers.get(qid)),
        )
        for qid in _continuum_ids()
        if answer_label(answers.get(qid))
    ]
    if record.get("outcome") == "style" and record.get("continuum") is not None:
        return format_words(section["continuum"], answers="; ".join(parts))
    key, values = depth_reason(record)
    text = format_words(
        section["continuum_none"],
        reason=format_words(section["continuum_reasons"][key], **values),
    )
    if key.startswith("unclear") and parts:
        text += " " + format_words(section["continuum_given"], answers="; ".join(parts))
    return text


def explanation(context: str, record: Mapping[str, Any], several: bool) -> str:
    """Name the answers that moved each axis most, and what counted for the depth."""
    section = texts()["explain"]
    for_context = (
        format_words(section["for_context"], context=context_name(context))
        if several
        else ""
    )
    lines = [str(section["intro"]).format(for_context=for_context)]
    why: Mapping[str, Sequence[Sequence[Any]]] = record.get("why") or {}
    known = {str(item["id"]) for item in question_items()}
    for dimension, heading in (("self", "self_heading"), ("other", "other_heading")):
        lines.append(str(section[heading]))
        entries = [
            (str(entry[0]), float(entry[1]), entry[2] if len(entry) > 2 else None)
            for entry in why.get(dimension, [])
            if str(entry[0]) in known and float(entry[1])
        ]
        if not entries:
            lines.append(str(section["none"]))
        for qid, effect, value in entries:
            direction = f"{dimension}_{'up' if effect > 0 else 'down'}"
            label = answer_label(value)
            template = section["line"] if label else section["line_no_answer"]
            lines.append(
                str(template).format(
                    question=short_question(qid).capitalize(),
                    answer=label,
                    direction=section["directions"][direction],
                )
            )
    lines.append(continuum_explanation(record))
    lines.append(str(section["outro"]).strip())
    return "\n".join(lines)


def outcome_phrase(record: Mapping[str, Any]) -> str:
    """A record's outcome in a few words ("de angstig-vastklampende stijl")."""
    phrases: Mapping[str, str] = texts()["compare"]["outcomes"]
    if record.get("outcome") == "style":
        return format_words(
            phrases["style"], adjective=style_adjective(str(record["style"]))
        )
    return str(phrases[str(record.get("outcome"))]).strip()


def describe_profiles(profiles: Mapping[str, Mapping[str, Any]]) -> str:
    """Compare the stored profiles in Dutch ("kan ik meerdere stijlen hebben?").

    Knowledge actions may call this to answer from the person's own data; it
    accepts the raw ``profiles`` slot value too.
    """
    from actions.results.records import profiles_from_value

    section = texts()["compare"]
    items = ordered(profiles_from_value(profiles))
    if not items:
        return words("compare", "none")
    if len(items) == 1:
        context, record = items[0]
        return format_words(
            section["one"],
            context=context_name(context),
            outcome=outcome_phrase(record),
        )
    lines = [str(section["heading"])]
    for context, record in items:
        lines.append(
            format_words(
                section["line"],
                label=context_label(context),
                outcome=outcome_phrase(record),
            )
        )
    styles = {record.get("style") for _, record in items}
    if len(styles) == 1 and None not in styles:
        lines.append(
            format_words(
                section["same_style"], style=style_adjective(str(styles.pop()))
            )
        )
    else:
        lines.append(str(section["different_styles"]).strip())
    return "\n".join(lines)


def summary_line(context: str, record: Mapping[str, Any]) -> str:
    """One line of the summary for one relationship."""
    section = texts()["summary"]
    label = context_label(context)
    outcome = record.get("outcome")
    if outcome == "mixed":
        return format_words(section["line_mixed"], label=label)
    if outcome == "no_pattern":
        shorts: Mapping[str, Mapping[str, str]] = texts()["levels"]["short"]
        levels = [
            str(shorts[axis][str(state)])
            for axis in AXES
            if (state := axis_state(record, axis)) in shorts[axis]
        ]
        return format_words(
            section["line_no_pattern"], label=label, levels=", ".join(levels)
        )
    line = format_words(
        section["line_style"],
        label=label,
        adjective=style_adjective(str(record["style"])),
    )
    continuum = record.get("continuum")
    if not continuum and record.get("continuum_reason") == "unclear":
        continuum = "unclear"
    if continuum:
        line += str(section["line_depth"]).format(
            depth=str(texts()["depth"]["short"][continuum]).strip()
        )
    if record.get("secondary"):
        line += str(section["line_secondary"]).format(
            secondary=style_adjective(str(record["secondary"]))
        )
    return line


def self_check_line(record: Mapping[str, Any]) -> Optional[str]:
    """The summary line about the rated self-check of this result, if done."""
    check = record.get("self_check")
    agreement = check.get("agreement") if isinstance(check, Mapping) else None
    lines: Mapping[str, str] = texts()["summary"]["self_check"]
    return str(lines[str(agreement)]).strip() if agreement in lines else None


def summary_text(profiles: Mapping[str, Record]) -> str:
    """Return a short plain-text summary of all results, to copy and keep."""
    section = texts()["summary"]
    items = ordered(profiles)
    if not items:
        return words("summary", "none")
    lines = [str(section["heading"])]
    for context, record in items:
        lines.append(summary_line(context, record))
        check = self_check_line(record)
        if check:
            lines.append(check)
    lines.append(str(section["growth"]))
    lines.append(str(section["sources"]))
    lines.append(str(section["footer"]).strip())
    return "\n".join(lines)


def describe_more(record: Optional[Mapping[str, Any]]) -> str:
    """More about the style that came out (hedged origins, names that differ)."""
    if record is None:
        return words("describe", "no_result")
    style = record.get("style")
    if record.get("outcome") != "style" or style not in STYLES:
        return words("describe", "no_style")
    return words("describe", "more", str(style))


def too_few_message(answered: int, total: int) -> str:
    """Return the honest message for a round with too few answers."""
    return format_words(texts()["too_few"], answered=answered, total=total)
