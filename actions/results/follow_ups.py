"""What the person can ask next about a result: the follow-up topics and their buttons.

Every follow-up answer ends with buttons for the topics not yet seen since
the latest result (slot ``result_topics_seen``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa_sdk import Tracker

from actions.results.content import question_number, texts
from actions.results.records import (
    Record,
    listed_pairs,
    mixed_offer,
    offers_depth,
)

SEEN_SLOT = "result_topics_seen"

#: topic -> the intent its button sends (``compare`` depends on the records)
TOPIC_INTENTS: Dict[str, str] = {
    "stress": "ask_result_stress",
    "love": "ask_result_love",
    "work": "ask_result_work",
    "why": "explain_result",
    "growth": "ask_result_growth",
    "depth": "ask_result_depth",
    "compare": "another_relationship",
    "self_check": "request_self_check",
    "summary": "request_summary",
    "dimensions": "show_dimensions",
    "restart": "restart_questionnaire",
}
INTENT_TOPICS: Dict[str, str] = {
    intent: topic for topic, intent in TOPIC_INTENTS.items() if topic != "restart"
}
INTENT_TOPICS["compare_profiles"] = "compare"

STYLE_TOPICS = ("stress", "love", "work", "why", "growth", "depth")
#: Topics that say too much for a relationship: answers about work say little about love.
LEFT_OUT: Dict[str, Tuple[str, ...]] = {"work": ("love",)}
NO_STYLE_TOPICS = ("why", "growth")
CLOSING_TOPICS = ("compare", "self_check", "summary")
Button = Dict[str, str]


def seen_topics(tracker: Tracker) -> List[str]:
    """The follow-up topics answered since the latest result."""
    value = tracker.get_slot(SEEN_SLOT)
    return [str(topic) for topic in value] if isinstance(value, list) else []


def with_seen(tracker: Tracker, topic: str) -> List[str]:
    """The seen topics with ``topic`` added (once)."""
    seen = seen_topics(tracker)
    return seen if topic in seen else [*seen, topic]


def topic_button(topic: str, several_records: bool = False) -> Button:
    """The button of one topic."""
    titles: Mapping[str, str] = texts()["follow_ups"]["titles"]
    if topic == "compare" and several_records:
        return {"title": str(titles["compare_several"]), "payload": "/compare_profiles"}
    return {"title": str(titles[topic]), "payload": f"/{TOPIC_INTENTS[topic]}"}


def revisit_button(question_id: str) -> Button:
    """The "Vraag N nog eens" button of one question."""
    number = question_number(question_id)
    entities = json.dumps({"question_id": question_id}, separators=(",", ":"))
    title = str(texts()["follow_ups"]["titles"]["revisit"]).format(number=number)
    return {"title": title, "payload": f"/revisit_question{entities}"}


def revisit_questions(record: Mapping[str, Any]) -> List[str]:
    """The questions of the listed pairs that contradicted each other, in asking order.

    Only for contradictions: after a response style (the same answer everywhere)
    answering single questions again does not help; starting over does.
    """
    if mixed_offer(record) == "restart":
        return []
    found: List[str] = []
    for first, second in listed_pairs(record):
        for qid in (first, second):
            if qid not in found and question_number(qid) is not None:
                found.append(qid)
    return sorted(found, key=lambda qid: question_number(qid) or 0)


def available_topics(record: Optional[Record], context: str = "") -> List[str]:
    """Every follow-up topic this result offers, in the order they are shown."""
    if record is None:
        return []
    outcome = record.get("outcome")
    if outcome == "style":
        topics = [
            t
            for t in STYLE_TOPICS
            if (t != "depth" or offers_depth(record))
            and t not in LEFT_OUT.get(context, ())
        ]
    elif outcome == "mixed":
        topics = ["dimensions", *NO_STYLE_TOPICS]
    else:
        topics = list(NO_STYLE_TOPICS)
    return [*topics, *CLOSING_TOPICS]


def follow_up_buttons(
    record: Optional[Record],
    seen: Sequence[str],
    several_records: bool = False,
    context: str = "",
) -> List[Button]:
    """Buttons for the topics of this result not seen yet (the closing ones when none).

    A mixed result first offers its own way out: "Vraag N nog eens" for the
    listed contradicting questions, or "Opnieuw beginnen".
    """
    topics = [t for t in available_topics(record, context) if t not in seen]
    if not any(t not in CLOSING_TOPICS for t in topics):
        topics = list(CLOSING_TOPICS) if record is not None else []
    buttons: List[Button] = []
    if (
        record is not None
        and record.get("outcome") == "mixed"
        and "dimensions" in topics
    ):
        buttons += [revisit_button(qid) for qid in revisit_questions(record)]
        if mixed_offer(record) != "revisit":
            buttons.append(topic_button("restart"))
    buttons += [topic_button(t, several_records) for t in topics]
    return buttons


def offer_text(record: Optional[Record], seen: Sequence[str], context: str = "") -> str:
    """The short line that goes with the follow-up buttons."""
    words = texts()["follow_ups"]
    remaining = [
        t
        for t in available_topics(record, context)
        if t not in seen and t not in CLOSING_TOPICS
    ]
    return str(words["offer_more"] if remaining else words["offer_done"]).strip()
