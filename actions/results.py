"""The result of the questions: explanation, picture, self-check, relationships, summary.

Pure helpers turn a scoring :class:`~actions.scoring.Profile` (or the stored
``profiles`` slot) into Dutch text taken from ``actions/content/results.yml``;
the actions below only read the tracker, call those helpers and send messages.

The ``profiles`` slot holds one record per relationship context::

    {"partner": {"self": 0.71, "other": 0.32, "style": "anxious",
                 "secondary": None, "continuum": "traits", "clarity": "clear",
                 "answered": 14, "total": 14, "seq": 1,
                 "why": {"self": [["q03", 0.21], ...], "other": [...]}}}

``seq`` orders the records (the highest is the latest result).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content_store import load_content
from actions.result_picture import PicturePoint, picture_data_uri, render_picture
from actions.scoring import (
    STYLES,
    Profile,
    QuestionSpec,
    answers_from_slots,
    load_specs,
    score,
)

logger = logging.getLogger(__name__)

PROFILES_SLOT = "profiles"
CONTEXT_SLOT = "relationship_context"
SELF_CHECK_SLOT = "self_check_style"
PAUSED_SLOT = "questionnaire_paused"
SELF_CHECK_ENTITY = "self_check_style"
RESULT_STYLE_SLOT = "result_style"
RESULT_SECONDARY_SLOT = "result_secondary_style"
RESULT_CONTINUUM_SLOT = "result_continuum"
GENERAL_CONTEXT = "general"
CONTEXTS = ("partner", "family", "work", "friends")
#: How many answers per dimension ``action_explain_result`` names.
EXPLAIN_TOP = 3
SHORT_QUESTION_CHARS = 90
_PROGRESS_LINE = re.compile(r"^\s*vraag\s+\d+\s+van\s+\d+\s*$", re.IGNORECASE)

Record = Dict[str, Any]
Events = List[Dict[str, Any]]


# --------------------------------------------------------------------------- content


def texts() -> Mapping[str, Any]:
    """Return the parsed ``results`` content (cached by the content store)."""
    content: Mapping[str, Any] = load_content("results")
    return content


def question_items() -> List[Mapping[str, Any]]:
    """Return the question entries of ``questions.yml`` (a list, or under ``questions``)."""
    raw = load_content("questions")
    items = raw.get("questions", []) if isinstance(raw, Mapping) else raw
    return [item for item in items if isinstance(item, Mapping) and "id" in item]


def question_ids() -> List[str]:
    """Return the ids of all questions; the answer slots carry these names."""
    return [str(item["id"]) for item in question_items()]


@lru_cache(maxsize=1)
def _specs() -> Tuple[QuestionSpec, ...]:
    """Return the scoring specs of the questions (built once)."""
    return tuple(load_specs(question_items()))


def style_name(style: str) -> str:
    """Return the Dutch name of a style code (``anxious`` -> angstig-vastklampend)."""
    return str(texts()["style_names"][style])


def style_adjective(style: str) -> str:
    """Return the Dutch adjective for "de ... stijl"."""
    return str(texts()["style_adjectives"][style])


def context_name(context: str) -> str:
    """Return how a relationship context reads in a sentence ("je partner")."""
    names: Mapping[str, str] = texts()["context_names"]
    return str(names.get(context, names[GENERAL_CONTEXT]))


def context_label(context: str) -> str:
    """Return the short label of a relationship context ("partner")."""
    labels: Mapping[str, str] = texts()["context_labels"]
    return str(labels.get(context, labels[GENERAL_CONTEXT]))


# --------------------------------------------------------------------------- profiles


def answers_from_tracker(tracker: Tracker) -> Dict[str, Optional[int]]:
    """Collect the answers of all scored questions from their slots (1..5 or None)."""
    specs = _specs()
    return answers_from_slots(
        {spec.id: tracker.get_slot(spec.id) for spec in specs}, specs
    )


def context_of(tracker: Tracker) -> str:
    """Return the relationship context code of this round (``general`` if unknown)."""
    value = tracker.get_slot(CONTEXT_SLOT)
    return str(value) if value in CONTEXTS else GENERAL_CONTEXT


def stored_profiles(tracker: Tracker) -> Dict[str, Record]:
    """Return the ``profiles`` slot as a dict of valid records (empty if unset)."""
    value = tracker.get_slot(PROFILES_SLOT)
    if not isinstance(value, Mapping):
        return {}
    return {
        str(key): dict(record)
        for key, record in value.items()
        if isinstance(record, Mapping) and record.get("style") in STYLES
    }


def ordered(profiles: Mapping[str, Record]) -> List[Tuple[str, Record]]:
    """Return the profiles oldest first (by ``seq``)."""
    return sorted(profiles.items(), key=lambda item: int(item[1].get("seq", 0)))


def latest(profiles: Mapping[str, Record]) -> Optional[Tuple[str, Record]]:
    """Return the most recent (context, record), or None when there is none."""
    items = ordered(profiles)
    return items[-1] if items else None


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
    return {
        "self": (
            None if profile.self_concern is None else round(profile.self_concern, 3)
        ),
        "other": (
            None if profile.other_concern is None else round(profile.other_concern, 3)
        ),
        "style": profile.style,
        "secondary": profile.secondary_style,
        "continuum": profile.continuum,
        "clarity": profile.clarity,
        "answered": profile.answered,
        "total": profile.total,
        "seq": seq,
        "why": why,
    }


def with_record(
    profiles: Mapping[str, Record],
    context: str,
    profile: Profile,
    answers: Mapping[str, Optional[int]],
) -> Dict[str, Record]:
    """Return ``profiles`` with this round's record stored (replacing the same context)."""
    seq = max((int(r.get("seq", 0)) for r in profiles.values()), default=0) + 1
    updated = {key: dict(value) for key, value in profiles.items()}
    updated[context] = profile_record(profile, seq, answers)
    return updated


# --------------------------------------------------------------------------- texts


def continuum_text(continuum: Optional[str]) -> Optional[str]:
    """Return the glasses text for a continuum position, with support at the deep end."""
    if continuum is None:
        return None
    result = texts()["result"]
    parts = [result["continuum_intro"], result["continuum"][continuum]]
    if continuum == "structure":
        parts.append(result["structure_support"])
    return " ".join(str(part).strip() for part in parts)


def describe_profiles(profiles: Mapping[str, Record]) -> str:
    """Compare the stored profiles in Dutch ("kan ik meerdere stijlen hebben?").

    Knowledge actions may call this to answer from the person's own data.
    """
    words = texts()["compare"]
    items = ordered(profiles)
    if not items:
        return str(words["none"]).strip()
    if len(items) == 1:
        context, record = items[0]
        return (
            str(words["one"])
            .format(
                context=context_name(context), style=style_adjective(record["style"])
            )
            .strip()
        )
    lines = [str(words["heading"])]
    for context, record in items:
        continuum = record.get("continuum")
        if continuum:
            lines.append(
                str(words["line"]).format(
                    label=context_label(context),
                    style=style_name(record["style"]),
                    continuum=texts()["continuum_short"][continuum],
                )
            )
        else:
            lines.append(
                str(words["line_no_continuum"]).format(
                    label=context_label(context), style=style_name(record["style"])
                )
            )
    styles = {record["style"] for _, record in items}
    if len(styles) == 1:
        lines.append(
            str(words["same_style"]).format(style=style_adjective(styles.pop())).strip()
        )
    else:
        lines.append(str(words["different_styles"]).strip())
    return "\n".join(lines)


def result_messages(
    profile: Profile, context: str, profiles: Mapping[str, Record]
) -> List[str]:
    """Return the short messages that present a (non-empty) result, in order."""
    if profile.style is None:
        raise ValueError("a result without a style has no result messages")
    result = texts()["result"]
    style = profile.style
    first = [str(result["context_intro"]).format(context=context_name(context))]
    first.append(str(result["style"][style]).strip())
    if profile.answered < profile.total:
        first.append(
            str(result["partial"]).format(
                answered=profile.answered, total=profile.total
            )
        )
    messages = [
        " ".join(first),
        str(result["strategy"][style]).strip(),
        str(result["recognise"][style]).strip(),
    ]
    glasses = continuum_text(profile.continuum)
    if glasses:
        messages.append(glasses)
    nuance = [str(result["nuance"]).strip()]
    if profile.secondary_style and profile.secondary_style != style:
        nuance.append(
            str(result["secondary"])
            .format(secondary=style_adjective(profile.secondary_style))
            .strip()
        )
    if profile.clarity == "unclear":
        nuance.append(str(result["unclear"]).strip())
    messages.append(" ".join(nuance))
    if len(profiles) >= 2:
        messages.append(describe_profiles(profiles))
    growth = result["growth"]["secure" if style == "secure" else "insecure"]
    messages.append(f"{str(growth).strip()} {str(result['disclaimer']).strip()}")
    return messages


def too_few_message(profile: Profile) -> str:
    """Return the honest message for a round with too few answers."""
    return (
        str(texts()["result"]["too_few"])
        .format(answered=profile.answered, total=profile.total)
        .strip()
    )


def self_check_prompt() -> Tuple[str, List[Dict[str, str]]]:
    """Return the self-check text (four descriptions) and its four buttons."""
    words = texts()["self_check"]
    text = str(words["prompt"]).format(**words["descriptions"])
    buttons = [
        {
            "title": str(words["button_titles"][style]),
            "payload": f'/self_check{{"self_check_style":"{style}"}}',
        }
        for style in STYLES
    ]
    return text, buttons


def self_check_reflection(
    picked: str, style: Optional[str], secondary: Optional[str]
) -> str:
    """Return the reflection on the self-check pick compared with the computed style."""
    words = texts()["self_check"]
    if style is None:
        template, args = words["no_result"], {"picked": style_adjective(picked)}
    elif picked == style:
        template, args = words["same"], {"style": style_adjective(style)}
    elif picked == secondary:
        template = words["matches_secondary"]
        args = {"picked": style_adjective(picked), "style": style_adjective(style)}
    else:
        template = words["differs"]
        args = {"picked": style_adjective(picked), "style": style_adjective(style)}
    return str(template).format(**args).strip()


def short_question(item: Mapping[str, Any]) -> str:
    """Return a question in short form: its ``short`` field, else its question line.

    Questions are written as a situation line followed by the question itself;
    the last line is the question, cut at a word boundary when long.
    """
    if item.get("short"):
        return str(item["short"]).strip()
    lines = [
        line.strip()
        for line in str(item.get("text", "")).splitlines()
        if line.strip() and not _PROGRESS_LINE.match(line)
    ]
    text = " ".join(lines[-1].split()) if lines else ""
    if len(text) <= SHORT_QUESTION_CHARS:
        return text
    cut = text[:SHORT_QUESTION_CHARS].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def answer_label(value: Any) -> Optional[str]:
    """Return the scale word of an answer 1..5 ("Vaak"), or None when unknown."""
    scale: Mapping[Any, Any] = load_content("answer_scale").get("scale", {})
    entry = scale.get(value) if isinstance(value, int) else None
    return str(entry["label"]).lower() if isinstance(entry, Mapping) else None


def explanation(context: str, record: Mapping[str, Any], several: bool) -> str:
    """Name the answers that moved each dimension most, quoting the questions."""
    words = texts()["explain"]
    by_id = {str(item["id"]): item for item in question_items()}
    for_context = (
        str(words["for_context"]).format(context=context_name(context))
        if several
        else ""
    )
    lines = [str(words["intro"]).format(for_context=for_context)]
    why: Mapping[str, Sequence[Sequence[Any]]] = record.get("why") or {}
    for dimension, heading in (("self", "self_heading"), ("other", "other_heading")):
        lines.append(str(words[heading]))
        entries = [
            (str(entry[0]), float(entry[1]), entry[2] if len(entry) > 2 else None)
            for entry in why.get(dimension, [])
            if str(entry[0]) in by_id and float(entry[1])
        ][:EXPLAIN_TOP]
        if not entries:
            lines.append(str(words["none"]))
        for qid, effect, value in entries:
            direction = f"{dimension}_{'up' if effect > 0 else 'down'}"
            label = answer_label(value)
            template = words["line"] if label else words["line_no_answer"]
            lines.append(
                str(template).format(
                    question=short_question(by_id[qid]),
                    answer=label,
                    direction=words["directions"][direction],
                )
            )
    lines.append(str(words["outro"]).strip())
    return "\n".join(lines)


def summary_text(profiles: Mapping[str, Record], self_check: Optional[str]) -> str:
    """Return a short plain-text summary of all results, to copy and keep."""
    words = texts()["summary"]
    items = ordered(profiles)
    if not items:
        return str(words["none"]).strip()
    lines = [str(words["heading"])]
    for context, record in items:
        continuum = record.get("continuum")
        args = {
            "label": context_label(context),
            "style": style_adjective(record["style"]),
        }
        if continuum:
            line = str(words["line"]).format(
                continuum=texts()["continuum_short"][continuum], **args
            )
        else:
            line = str(words["line_no_continuum"]).format(**args)
        secondary = record.get("secondary")
        if secondary in STYLES and secondary != record["style"]:
            line += str(words["secondary"]).format(secondary=style_adjective(secondary))
        lines.append(line)
    if self_check in STYLES:
        lines.append(
            str(words["self_check"]).format(picked=style_adjective(self_check))
        )
    lines.append(str(words["growth"]))
    lines.append(str(words["footer"]).strip())
    return "\n".join(lines)


def picture_points(profiles: Mapping[str, Record]) -> List[PicturePoint]:
    """Return one picture point per stored profile (labelled "jij" when alone)."""
    items = [
        (context, record)
        for context, record in ordered(profiles)
        if record.get("self") is not None and record.get("other") is not None
    ]
    if len(items) == 1:
        record = items[0][1]
        label = str(texts()["picture"]["point_label"])
        return [PicturePoint(float(record["self"]), float(record["other"]), label)]
    return [
        PicturePoint(float(record["self"]), float(record["other"]), context_label(ctx))
        for ctx, record in items
    ]


def send_picture(
    dispatcher: CollectingDispatcher, profiles: Mapping[str, Record]
) -> None:
    """Send the picture of ``profiles``; a drawing failure never costs the result."""
    points = picture_points(profiles)
    if not points:
        return
    try:
        png = render_picture(points)
    except Exception:  # noqa: BLE001 - the words matter more than the picture
        logger.exception("could not draw the result picture")
        return
    dispatcher.utter_message(image=picture_data_uri(png))


def send_invitation(dispatcher: CollectingDispatcher) -> None:
    """Invite the person to ask more, with follow-up buttons."""
    invitation = texts()["invitation"]
    dispatcher.utter_message(
        text=str(invitation["text"]), buttons=[dict(b) for b in invitation["buttons"]]
    )


# --------------------------------------------------------------------------- actions


class ActionShowResult(Action):
    """Score the answers and present the result in a few short messages."""

    def name(self) -> str:
        """Return the action name."""
        return "action_show_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Compute the profile, store it per relationship and explain it."""
        answers = answers_from_tracker(tracker)
        profile = score(answers, _specs())
        if profile.style is None:
            # No guess: earlier results (other relationships) stay as they are.
            dispatcher.utter_message(text=too_few_message(profile))
            return []
        context = context_of(tracker)
        profiles = with_record(stored_profiles(tracker), context, profile, answers)
        messages = result_messages(profile, context, profiles)
        for text in messages[:4]:
            dispatcher.utter_message(text=text)
        send_picture(dispatcher, profiles)
        for text in messages[4:]:
            dispatcher.utter_message(text=text)
        prompt, buttons = self_check_prompt()
        dispatcher.utter_message(text=prompt, buttons=buttons)
        return [
            SlotSet(RESULT_STYLE_SLOT, profile.style),
            SlotSet(RESULT_SECONDARY_SLOT, profile.secondary_style),
            SlotSet(RESULT_CONTINUUM_SLOT, profile.continuum),
            SlotSet(PROFILES_SLOT, profiles),
            SlotSet(SELF_CHECK_SLOT, None),
        ]


class ActionDescribeResult(Action):
    """Tell more about the stored result ("wat betekent dat?", "vertel meer")."""

    def name(self) -> str:
        """Return the action name."""
        return "action_describe_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Explain the stored style in more depth, with its continuum position."""
        style = tracker.get_slot(RESULT_STYLE_SLOT)
        if style not in STYLES:
            dispatcher.utter_message(text=str(texts()["describe"]["no_result"]).strip())
            return []
        dispatcher.utter_message(text=str(texts()["describe"]["more"][style]).strip())
        glasses = continuum_text(tracker.get_slot(RESULT_CONTINUUM_SLOT))
        secondary = tracker.get_slot(RESULT_SECONDARY_SLOT)
        extra = [glasses] if glasses else []
        if secondary in STYLES and secondary != style:
            extra.append(
                str(texts()["result"]["secondary"])
                .format(secondary=style_adjective(secondary))
                .strip()
            )
        if extra:
            dispatcher.utter_message(text=" ".join(extra))
        send_invitation(dispatcher)
        return []


class ActionExplainResult(Action):
    """Name the answers that moved each dimension most ("waarom kom ik hier uit?")."""

    def name(self) -> str:
        """Return the action name."""
        return "action_explain_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Explain the latest stored result from its strongest contributions."""
        profiles = stored_profiles(tracker)
        newest = latest(profiles)
        if newest is None:
            dispatcher.utter_message(text=str(texts()["explain"]["no_result"]).strip())
            return []
        context, record = newest
        dispatcher.utter_message(
            text=explanation(context, record, several=len(profiles) >= 2)
        )
        return []


class ActionSendSummary(Action):
    """Send a short plain-text summary to keep (``/samenvatting``)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_send_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Summarise every stored result and the self-check pick."""
        dispatcher.utter_message(
            text=summary_text(
                stored_profiles(tracker), tracker.get_slot(SELF_CHECK_SLOT)
            )
        )
        return []


class ActionStartAnotherRelationship(Action):
    """Clear the answers (keeping ``profiles``) so the form runs for another relationship."""

    def name(self) -> str:
        """Return the action name."""
        return "action_start_another_relationship"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Reset the answer and context slots and unpause; the rule then starts the form."""
        dispatcher.utter_message(text=str(texts()["another"]["start"]).strip())
        names = [*question_ids(), CONTEXT_SLOT, "requested_slot"]
        events: Events = [SlotSet(name, None) for name in dict.fromkeys(names)]
        events.append(SlotSet(PAUSED_SLOT, False))
        return events


class ActionCompareProfiles(Action):
    """Compare the results of several relationships in words and in the picture."""

    def name(self) -> str:
        """Return the action name."""
        return "action_compare_profiles"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Describe the stored profiles side by side and draw them together."""
        profiles = stored_profiles(tracker)
        dispatcher.utter_message(text=describe_profiles(profiles))
        if len(profiles) >= 2:
            send_picture(dispatcher, profiles)
        return []


class ActionOfferSelfCheck(Action):
    """Offer the four descriptions of the self-check as buttons."""

    def name(self) -> str:
        """Return the action name."""
        return "action_offer_self_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Send the self-check prompt with its four buttons."""
        prompt, buttons = self_check_prompt()
        dispatcher.utter_message(text=prompt, buttons=buttons)
        return []


class ActionReflectSelfCheck(Action):
    """Reflect kindly on the description the person picked."""

    def name(self) -> str:
        """Return the action name."""
        return "action_reflect_self_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Compare the pick with the computed style; re-offer on an unknown pick."""
        picked = next(tracker.get_latest_entity_values(SELF_CHECK_ENTITY), None)
        if picked not in STYLES:
            _, buttons = self_check_prompt()
            dispatcher.utter_message(
                text=str(texts()["self_check"]["invalid"]), buttons=buttons
            )
            return []
        reflection = self_check_reflection(
            str(picked),
            tracker.get_slot(RESULT_STYLE_SLOT),
            tracker.get_slot(RESULT_SECONDARY_SLOT),
        )
        dispatcher.utter_message(text=reflection)
        send_invitation(dispatcher)
        return [SlotSet(SELF_CHECK_SLOT, picked)]
