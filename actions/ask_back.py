"""Asking back: "Bedoel je …?" with the likeliest topics, and answering the choice.

``bot.components.topic_resolver`` decides that a question is unclear (intent
``unclear_question``, options in the message property ``topic_choice``) and reads a
typed reply to the question as a choice (intent ``choose_topic``, entity
``topic_choice``); the buttons send the same intent and entity. Options are answer
labels: ``faq/<topic>``, ``style/<code>`` (``style/insecure``: the umbrella name),
``term/<key>``, or ``other`` for "iets anders". All Dutch text comes from
``actions/content/knowledge.yml`` (``messages`` and ``ask_back``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import knowledge as kn

CHOICE_INTENT = "choose_topic"
CHOICE_ENTITY = "topic_choice"
CHOICE_PROPERTY = "topic_choice"
OPTIONS_SLOT = "topic_options"
OTHER = "other"
INSECURE = "insecure"
#: At most this many topics are offered (plus "iets anders").
MAX_OPTIONS = 3

Events = List[Dict[str, Any]]


def settings() -> Dict[str, Any]:
    """The ``ask_back`` section of the knowledge content."""
    return dict(kn.knowledge().get("ask_back") or {})


def is_known(label: Any) -> bool:
    """True for an answer label the bot can give."""
    if not isinstance(label, str):
        return False
    kind, _, key = label.partition("/")
    if kind == "faq":
        return key in kn.topics()
    if kind == "style":
        return key in kn.STYLE_CODES or key == INSECURE
    if kind == "term":
        return key in kn.terms()
    return False


def title(label: str) -> str:
    """The Dutch button text of an answer label."""
    kind, _, key = label.partition("/")
    texts = settings()
    if kind == "faq":
        name = kn.clean(kn.topics()[key]["title"])
        text = str(texts["faq_button"]).format(title=name)
    elif kind == "style" and key in kn.STYLE_CODES:
        name = kn.clean(kn.styles()[key]["title"])
        text = str(texts["style_button"]).format(title=name)
    elif kind == "style":
        name = str(kn.variants()[INSECURE]["aliases"][-1])
        text = str(texts["style_button"]).format(title=name)
    else:
        name = str(kn.terms()[key]["aliases"][0])
        text = str(texts["term_button"]).format(term=name)
    return text[:1].upper() + text[1:]


def payload(label: str) -> str:
    """The button payload that chooses ``label``."""
    return f"/{CHOICE_INTENT}" + json.dumps(
        {CHOICE_ENTITY: label}, ensure_ascii=False, separators=(",", ":")
    )


def buttons(labels: Sequence[str]) -> List[Dict[str, str]]:
    """One button per label, then "Iets anders"."""
    rows = [{"title": title(label), "payload": payload(label)} for label in labels]
    rows.append({"title": kn.message("ask_back_other"), "payload": payload(OTHER)})
    return rows


def offered(latest_message: Mapping[str, Any]) -> List[str]:
    """The known options the resolver put on the message, best first."""
    prop = latest_message.get(CHOICE_PROPERTY) or {}
    options = prop.get("options") if isinstance(prop, Mapping) else None
    labels: List[str] = []
    for label in options or []:
        if is_known(label) and label not in labels:
            labels.append(str(label))
    return labels[:MAX_OPTIONS]


def chosen(latest_message: Mapping[str, Any]) -> Optional[str]:
    """The ``topic_choice`` entity of the message, if any."""
    for item in latest_message.get("entities") or []:
        if item.get("entity") == CHOICE_ENTITY and isinstance(item.get("value"), str):
            return str(item["value"])
    return None


def send_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, label: str
) -> Events:
    """Give the answer a label stands for."""
    kind, _, key = label.partition("/")
    if kind == "faq":
        return kn.send_topic(dispatcher, tracker, key)
    if kind == "style" and key in kn.STYLE_CODES:
        return kn.send_style_code(dispatcher, tracker, key)
    if kind == "style":
        return kn.send_style(dispatcher, tracker, [INSECURE])
    return kn.send_terms(dispatcher, [key])


class ActionAskWhichTopic(Action):
    """Offer the likeliest topics of an unclear question as buttons."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_which_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Send "Bedoel je …?" and remember the options for a typed reply."""
        labels = offered(tracker.latest_message)
        if not labels:
            dispatcher.utter_message(text=kn.message("faq_not_understood"))
            return [SlotSet(OPTIONS_SLOT, None)]
        key = "ask_back" if len(labels) > 1 else "ask_back_one"
        dispatcher.utter_message(text=kn.message(key), buttons=buttons(labels))
        return [SlotSet(OPTIONS_SLOT, labels)]


class ActionAnswerChoice(Action):
    """Answer the topic chosen from "Bedoel je …?", or offer the topic list."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """The answer, or a request to rephrase with the topic menu."""
        label = chosen(tracker.latest_message)
        events: Events = [SlotSet(OPTIONS_SLOT, None)]
        if label is not None and is_known(label):
            return events + send_answer(dispatcher, tracker, label)
        if label == OTHER:
            menu = [f"faq/{key}" for key in settings().get("menu") or []]
            menu = [item for item in menu if is_known(item)]
            dispatcher.utter_message(
                text=kn.message("ask_back_rephrase"),
                buttons=[{"title": title(i), "payload": payload(i)} for i in menu],
            )
            return events
        dispatcher.utter_message(text=kn.message("ask_back_expired"))
        return events
