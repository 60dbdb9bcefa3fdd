"""Knowledge actions: FAQ answers, "vertel meer", key terms and style names.

All Dutch text comes from ``utter_faq/<topic>`` responses (level 1 of a topic)
and from ``actions/content/knowledge.yml`` (deeper levels, personal lines, term
explanations, style explanations and the terminology bridge). The pure helpers
below do the lookups; the actions only read the tracker and send messages.

``last_topic`` holds the last topic answered: a FAQ topic key
(``several_styles``), ``style_<code>`` or ``term_<key>``. ``last_topic_depth``
holds how many levels of it were told.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content_store import load_content
from actions.results import describe_profiles
from hechtwijzer_core.contract import PROFILES_SLOT
from hechtwijzer_core.contract import STYLES as STYLE_CODES
from hechtwijzer_core.names import (
    NameTable,
    background_names,
    foreground,
    name_reading,
)

logger = logging.getLogger(__name__)

FAQ_INTENT = "faq"
STYLE_PREFIX = "style_"
TERM_PREFIX = "term_"
LAST_TOPIC_SLOT = "last_topic"
DEPTH_SLOT = "last_topic_depth"
RESULT_STYLE_SLOT = "result_style"
STYLE_ENTITY = "attachment_style"
TERM_ENTITY = "term"
#: Topics suggested when the person has not asked anything yet.
STARTER_TOPICS = ("what_is_attachment", "four_styles", "earned_secure")
#: Topics suggested after the last level of a style explanation.
STYLE_RELATED = ("two_dimensions", "earned_secure")
#: At most this many bridge notes and terms are sent for one message.
MAX_NOTES = 2
MAX_TERMS = 2

Events = List[Dict[str, Any]]


# --------------------------------------------------------------------------- content
def knowledge() -> Dict[str, Any]:
    """The parsed ``actions/content/knowledge.yml`` (cached by content_store)."""
    data = load_content("knowledge")
    if not isinstance(data, dict):
        raise TypeError("knowledge content must be a mapping")
    return data


def topics() -> Dict[str, Any]:
    """FAQ topics by key."""
    return dict(knowledge()["topics"])


def styles() -> Dict[str, Any]:
    """Style explanations by style code."""
    return dict(knowledge()["styles"])


def terms() -> Dict[str, Any]:
    """Key terms by key."""
    return dict(knowledge()["terms"])


def variants() -> Dict[str, Any]:
    """Style names (entity values) by key."""
    return dict(knowledge()["variants"])


def message(key: str, **values: str) -> str:
    """A fixed message from the content, with ``{placeholders}`` filled in."""
    text = str(knowledge()["messages"][key]).strip()
    return text.format(**values) if values else text


def clean(text: Any) -> str:
    """Content text without the trailing whitespace YAML folding leaves."""
    return str(text).strip()


# --------------------------------------------------------------------- recognising
def faq_topic(latest_message: Mapping[str, Any]) -> Optional[str]:
    """The FAQ topic the ResponseSelector chose for the latest message.

    Reads ``response_selector["faq"]`` (one selector per retrieval intent) or
    ``response_selector["default"]`` (one shared selector), and falls back to
    the intent's ``full_retrieval_intent_name``. Returns ``None`` when there is
    no ``faq/<topic>`` prediction.
    """
    selector = latest_message.get("response_selector") or {}
    for key in (FAQ_INTENT, "default"):
        prediction = (selector.get(key) or {}).get("response") or {}
        topic = _faq_suffix(prediction.get("intent_response_key"))
        if topic:
            return topic
    intent = latest_message.get("intent") or {}
    return _faq_suffix(intent.get("full_retrieval_intent_name"))


def _faq_suffix(intent_response_key: Any) -> Optional[str]:
    """``faq/several_styles`` -> ``several_styles``; anything else -> ``None``."""
    if not isinstance(intent_response_key, str):
        return None
    prefix, _, topic = intent_response_key.partition("/")
    if prefix != FAQ_INTENT or not topic:
        return None
    return topic


@cache
def _names(section: str) -> NameTable:
    """The names of every key in a content section (typos and compounds read too)."""
    pairs = [
        (str(alias), str(key))
        for key, entry in dict(knowledge()[section]).items()
        for alias in entry.get("aliases") or []
    ]
    return NameTable.build(pairs, **name_reading(knowledge()))


def find_aliases(text: str, section: str) -> List[str]:
    """Keys of ``section`` (``variants`` or ``terms``) named in ``text``, in order.

    Longer names win over the shorter names inside them ("angstig-vermijdend"
    is not also read as "angstig"); each key is listed once.
    """
    return _names(section).find(text)


def mentioned(
    latest_message: Mapping[str, Any], entity: str, section: str
) -> List[str]:
    """Keys named in the message: from the text first, then from entities."""
    table = dict(knowledge()[section])
    keys = find_aliases(str(latest_message.get("text") or ""), section)
    for item in latest_message.get("entities") or []:
        if item.get("entity") != entity:
            continue
        value = str(item.get("value") or "")
        candidates = [value] if value in table else find_aliases(value, section)
        for key in candidates:
            if key not in keys:
                keys.append(key)
    return keys


def described_style(latest_message: Mapping[str, Any]) -> Optional[str]:
    """The style code the NLU chose for a style described without a name.

    Only when the text names no style: a name gets its own bridge note. The
    understanding sets the style entity to a bare style code then.
    """
    if find_aliases(str(latest_message.get("text") or ""), "variants"):
        return None
    for item in latest_message.get("entities") or []:
        value = item.get("value")
        if item.get("entity") == STYLE_ENTITY and value in STYLE_CODES:
            return str(value)
    return None


def result_style(tracker: Tracker) -> Optional[str]:
    """The person's style code from the questions, if there is one."""
    value = tracker.get_slot(RESULT_STYLE_SLOT)
    return value if value in STYLE_CODES else None


def depth_of(tracker: Tracker) -> int:
    """How many levels of ``last_topic`` were told (at least 1)."""
    value = tracker.get_slot(DEPTH_SLOT)
    try:
        return max(1, int(float(value)))
    except (TypeError, ValueError):
        return 1


# ---------------------------------------------------------------------- composing
def personal_line(topic: str, style: Optional[str]) -> Optional[str]:
    """The topic's line for this style code, if the topic has one."""
    if style is None:
        return None
    personal = (topics().get(topic) or {}).get("personal") or {}
    text = personal.get(style)
    return clean(text) if text else None


def own_profiles_text(tracker: Tracker) -> Optional[str]:
    """The results module's comparison of the person's profiles, if any."""
    profiles = tracker.get_slot(PROFILES_SLOT)
    if not isinstance(profiles, Mapping) or not profiles:
        return None
    try:
        text = describe_profiles(profiles)
    except (KeyError, TypeError, ValueError, AttributeError):
        logger.warning("could not describe the stored profiles", exc_info=True)
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip()


def suggestions(topic_keys: Sequence[str]) -> str:
    """Topic prompts joined into one Dutch phrase."""
    table = topics()
    prompts = [
        f"\u201c{clean(table[key]['prompt'])}\u201d"
        for key in topic_keys
        if key in table
    ]
    return message("suggestion_joiner").join(prompts) if prompts else ""


def levels_of(topic: str) -> Tuple[List[str], str, Sequence[str]]:
    """Deeper levels (2, 3, ...), title and related topics of a topic key."""
    if topic.startswith(STYLE_PREFIX):
        entry = styles().get(topic[len(STYLE_PREFIX) :]) or {}
        related: Sequence[str] = STYLE_RELATED
    else:
        entry = topics().get(topic) or {}
        related = entry.get("related") or STARTER_TOPICS
    deeper = [clean(text) for text in entry.get("deeper") or []]
    return deeper, clean(entry.get("title") or topic), related


def main_term(topic: Optional[str]) -> Optional[str]:
    """The key term of a topic (for "wat bedoel je daarmee?")."""
    if not topic:
        return None
    if topic.startswith(TERM_PREFIX):
        return None
    if topic.startswith(STYLE_PREFIX):
        entry = styles().get(topic[len(STYLE_PREFIX) :]) or {}
    else:
        entry = topics().get(topic) or {}
    names = entry.get("terms") or []
    return str(names[0]) if names else None


def topic_events(topic: str, depth: int) -> Events:
    """Slot events that remember the topic and how deep we went."""
    return [SlotSet(LAST_TOPIC_SLOT, topic), SlotSet(DEPTH_SLOT, float(depth))]


# ------------------------------------------------------------------------- actions
class ActionAnswerQuestion(Action):
    """Answer the FAQ topic picked by the ResponseSelector, personally if we can."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Send ``utter_faq/<topic>``, a personal line, and remember the topic."""
        topic = faq_topic(tracker.latest_message)
        if topic is None or topic not in topics():
            dispatcher.utter_message(text=message("faq_not_understood"))
            return []
        return send_topic(dispatcher, tracker, topic)


def send_topic(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    topic: str,
    text: Optional[str] = None,
) -> Events:
    """Level 1 of a FAQ topic, the personal line, and remember the topic.

    ``text``: the level-1 text to send instead of the response (then without its
    buttons).
    """
    if text:
        dispatcher.utter_message(text=text)
    else:
        dispatcher.utter_message(response=f"utter_{FAQ_INTENT}/{topic}")
    extra = own_profiles_text(tracker) if topic == "several_styles" else None
    extra = extra or personal_line(topic, result_style(tracker))
    if extra:
        dispatcher.utter_message(text=extra)
    return topic_events(topic, 1)


def send_terms(
    dispatcher: CollectingDispatcher, keys: Sequence[str], offer: bool = True
) -> Events:
    """The explanations of up to ``MAX_TERMS`` terms, and remember the last one.

    ``offer``: end with the offer to tell more.
    """
    table = terms()
    keys = [key for key in keys if key in table][:MAX_TERMS]
    if not keys:
        return []
    for key in keys:
        dispatcher.utter_message(text=clean(table[key]["text"]))
    if offer:
        dispatcher.utter_message(text=message("term_offer"))
    return topic_events(f"{TERM_PREFIX}{keys[-1]}", 1)


def send_style(
    dispatcher: CollectingDispatcher, tracker: Tracker, variant_keys: Sequence[str]
) -> Events:
    """Bridge notes and the explanation of the first style the names point to."""
    table = variants()
    keys = [key for key in variant_keys if key in table]
    notes = [clean(table[key]["note"]) for key in keys if table[key].get("note")]
    for note in notes[:MAX_NOTES]:
        dispatcher.utter_message(text=note)
    codes = [table[key]["style"] for key in keys if table[key]["style"] in STYLE_CODES]
    if not codes:
        return topic_events("four_styles", 1)
    return send_style_code(dispatcher, tracker, str(codes[0]))


def send_style_code(
    dispatcher: CollectingDispatcher, tracker: Tracker, code: str
) -> Events:
    """The explanation of one style (by code), and remember it."""
    dispatcher.utter_message(text=clean(styles()[code]["intro"]))
    if code == result_style(tracker):
        dispatcher.utter_message(text=message("your_style"))
    return topic_events(f"{STYLE_PREFIX}{code}", 1)


RESULT_ACTIONS = frozenset(
    {
        "action_show_result",
        "action_answer_result_topic",
        "action_describe_result",
        "action_explain_result",
        "action_show_dimensions",
        "action_rate_self_check",
    }
)


def follows_result(tracker: Tracker) -> bool:
    """True when the bot's last turn showed or discussed the person's result."""
    if not tracker.get_slot("result_style"):
        return False
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action":
            name = event.get("name")
            if name in RESULT_ACTIONS:
                return True
            if name not in ("action_listen", None) and not str(name).startswith(
                "utter_"
            ):
                return False
    return False


async def describe_result(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> Events:
    """Hand over to the results concern: more about the person's own result."""
    from actions.results import ActionDescribeResult

    return await ActionDescribeResult().run(dispatcher, tracker, domain)


class ActionTellMore(Action):
    """Go one level deeper on the last topic ("vertel meer", "en verder?")."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_tell_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Send the next level, or say kindly that this topic is done."""
        if follows_result(tracker):
            return await describe_result(dispatcher, tracker, domain)
        topic = tracker.get_slot(LAST_TOPIC_SLOT)
        if not isinstance(topic, str) or not topic:
            dispatcher.utter_message(
                text=message("no_topic_yet", suggestions=suggestions(STARTER_TOPICS))
            )
            return []
        if topic.startswith(TERM_PREFIX):
            related = (terms().get(topic[len(TERM_PREFIX) :]) or {}).get("related")
            if related in topics():
                dispatcher.utter_message(response=f"utter_{FAQ_INTENT}/{related}")
                return topic_events(str(related), 1)
        depth = depth_of(tracker)
        deeper, title, related_topics = levels_of(topic)
        if depth - 1 < len(deeper):
            dispatcher.utter_message(text=deeper[depth - 1])
            return topic_events(topic, depth + 1)
        dispatcher.utter_message(
            text=message(
                "no_more_levels", title=title, suggestions=suggestions(related_topics)
            )
        )
        return []


class ActionExplainTerm(Action):
    """Explain a key term, named or taken from the last answer."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_explain_term"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Send the explanation(s) and remember the term as the topic."""
        table = terms()
        keys = foreground(
            mentioned(tracker.latest_message, TERM_ENTITY, "terms"),
            background_names(knowledge()),
        )
        if not keys and follows_result(tracker):
            return await describe_result(dispatcher, tracker, domain)
        if not keys:
            fallback = main_term(tracker.get_slot(LAST_TOPIC_SLOT))
            keys = [fallback] if fallback in table else []
        if not keys:
            examples = message("suggestion_joiner").join(
                f"\u201c{name}\u201d" for name in ("sleutelervaring", "trigger", "bril")
            )
            dispatcher.utter_message(text=message("unknown_term", terms=examples))
            return []
        return send_terms(dispatcher, keys)


class ActionExplainStyle(Action):
    """Explain a style by any of its names, with the terminology bridge."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_explain_style"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Send bridge notes, the style explanation, and remember the style."""
        own = result_style(tracker)
        described = described_style(tracker.latest_message)
        if described is not None:
            return send_style_code(dispatcher, tracker, described)
        keys = mentioned(tracker.latest_message, STYLE_ENTITY, "variants")
        if not keys and own:
            keys = [own]
        if not keys:
            dispatcher.utter_message(text=message("unknown_style"))
            return []
        return send_style(dispatcher, tracker, keys)
