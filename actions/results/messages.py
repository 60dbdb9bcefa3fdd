"""The Dutch messages of a result, built from stored records (pure, no Rasa calls)."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence

from actions.results.content import (
    answer_label,
    context_intro,
    context_label,
    context_name,
    format_words,
    level_sentences,
    question_items,
    question_number,
    short_question,
    style_adjective,
    texts,
    words,
)
from actions.results.records import Record, mixed_pairs, ordered
from actions.scoring import STYLES

CONTINUUM_IDS_DIMENSION = "continuum"


def headline(record: Mapping[str, Any], context: str) -> str:
    """The first bubble of a result: the pattern in one or two sentences."""
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
            )
        ]
        if record.get("secondary"):
            parts.append(
                format_words(
                    section["secondary"],
                    secondary=style_adjective(str(record["secondary"])),
                )
            )
        elif record.get("clarity") == "unclear":
            parts.append(str(section["unclear"]).strip())
    elif outcome == "no_pattern":
        parts = [format_words(section["no_pattern"], intro=intro)]
    else:
        return mixed_text(record, context)
    answered, total = int(record.get("answered") or 0), int(record.get("total") or 0)
    if answered < total:
        parts.append(format_words(section["partial"], answered=answered, total=total))
    return " ".join(parts)


def mixed_text(record: Mapping[str, Any], context: str) -> str:
    """Say kindly that the answers point different ways, and where."""
    section = texts()["headline"]
    intro = context_intro(context)
    pairs = mixed_pairs(record)
    answers: Mapping[str, Any] = record.get("answers") or {}
    if not pairs:
        check = record.get("response_check") or {}
        kinds: Mapping[str, str] = section["mixed_kind"]
        kind = str(check.get("kind", "contradiction"))
        opening = format_words(kinds.get(kind, kinds["contradiction"]), intro=intro)
        return f"{opening} {str(section['mixed_offer']).strip()}"
    lines = [format_words(section["mixed"], intro=intro)]
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
    lines.append(str(section["mixed_offer"]).strip())
    return "\n".join(lines)


def dimensions_text(record: Mapping[str, Any]) -> str:
    """The two axes in plain words, without a style label."""
    sentences = level_sentences(record.get("self_level"), record.get("other_level"))
    return "\n".join([words("dimensions", "intro"), *sentences])


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


def depth_text(record: Optional[Mapping[str, Any]]) -> str:
    """The honest answer to "zit het diep?" (a clinician's view, always hedged)."""
    if record is None:
        return words("topics", "no_result")
    continuum = record.get("continuum")
    if continuum in ("symptom", "traits", "structure"):
        return f"{words('depth', 'intro')} {words('depth', str(continuum))}"
    reason = str(record.get("continuum_reason") or "no_style")
    if record.get("outcome") != "style":
        reason = "no_style"
    if reason not in ("too_few", "secure_side", "no_style"):
        reason = "too_few"
    return words("depth", reason)


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
    if record.get("continuum") is None:
        reason = str(record.get("continuum_reason") or "no_style")
        if record.get("outcome") != "style":
            reason = "no_style"
        reasons: Mapping[str, str] = section["continuum_reasons"]
        return format_words(
            section["continuum_none"],
            reason=str(reasons.get(reason, reasons["too_few"])).strip(),
        )
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
    return format_words(section["continuum"], answers="; ".join(parts))


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
            str(shorts[axis][str(level)])
            for axis, level in (
                ("self", record.get("self_level")),
                ("other", record.get("other_level")),
            )
            if level in shorts[axis]
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
