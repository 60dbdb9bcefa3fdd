"""Action tests for actions/ask_back.py: "Bedoel je …?" and answering the choice."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import ask_back as ab
from actions import knowledge as kn


def run(
    action: Action, tracker: Any, dispatcher: Any, domain: Dict[str, Any]
) -> List[Dict[str, Any]]:
    return asyncio.run(action.run(dispatcher, tracker, domain))


def unclear(options: List[str]) -> Dict[str, Any]:
    """A message the resolver asked back about."""
    return {
        "text": "iets vaags",
        "intent": {"name": "unclear_question", "confidence": 1.0},
        "entities": [],
        "topic_choice": {"decision": "ask", "options": options},
    }


def choice(label: str) -> Dict[str, Any]:
    """A pressed button or typed choice."""
    return {
        "text": ab.payload(label),
        "intent": {"name": "choose_topic", "confidence": 1.0},
        "entities": [{"entity": "topic_choice", "value": label}],
    }


def test_ask_back_offers_the_options_and_something_else(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    options = ["faq/fear_of_commitment", "style/avoidant", "term/trigger"]
    events = run(
        ab.ActionAskWhichTopic(),
        tracker(latest_message=unclear(options)),
        dispatcher,
        domain,
    )
    assert events == [SlotSet("topic_options", options)]
    [sent] = dispatcher.messages
    assert sent["text"] == kn.message("ask_back")
    titles = [b["title"] for b in sent["buttons"]]
    assert titles == [
        "Bindingsangst",
        "De angstig-vermijdende stijl",
        "Het woord “trigger”",
        kn.message("ask_back_other"),
    ]
    payloads = [b["payload"] for b in sent["buttons"]]
    assert payloads[0] == '/choose_topic{"topic_choice":"faq/fear_of_commitment"}'
    assert json.loads(payloads[-1][len("/choose_topic") :]) == {"topic_choice": "other"}


def test_ask_back_with_one_option_asks_about_that_one(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        ab.ActionAskWhichTopic(),
        tracker(latest_message=unclear(["faq/children", "faq/nonsense"])),
        dispatcher,
        domain,
    )
    [sent] = dispatcher.messages
    assert sent["text"] == kn.message("ask_back_one")
    assert len(sent["buttons"]) == 2


def test_ask_back_without_options_asks_to_rephrase(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        ab.ActionAskWhichTopic(),
        tracker(latest_message=unclear([])),
        dispatcher,
        domain,
    )
    assert [m["text"] for m in dispatcher.messages] == [
        kn.message("faq_not_understood")
    ]
    assert events == [SlotSet("topic_options", None)]


def test_every_option_kind_has_a_dutch_title() -> None:
    labels = (
        [f"faq/{key}" for key in kn.topics()]
        + [f"style/{code}" for code in kn.STYLE_CODES]
        + ["style/insecure"]
        + [f"term/{key}" for key in kn.terms()]
    )
    for label in labels:
        assert ab.is_known(label)
        text = ab.title(label)
        assert text and text[0].isupper() and "_" not in text and len(text) <= 40


def test_chosen_faq_topic_is_answered(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        ab.ActionAnswerChoice(),
        tracker(latest_message=choice("faq/fear_of_commitment")),
        dispatcher,
        domain,
    )
    assert [m.get("response") for m in dispatcher.messages] == [
        "utter_faq/fear_of_commitment"
    ]
    assert events == [
        SlotSet("topic_options", None),
        SlotSet("last_topic", "fear_of_commitment"),
        SlotSet("last_topic_depth", 1.0),
    ]


def test_chosen_style_and_term_are_explained(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        ab.ActionAnswerChoice(),
        tracker(latest_message=choice("style/anxious")),
        dispatcher,
        domain,
    )
    run(
        ab.ActionAnswerChoice(),
        tracker(latest_message=choice("term/bril")),
        dispatcher,
        domain,
    )
    texts = [m["text"] for m in dispatcher.messages]
    assert texts == [
        kn.clean(kn.styles()["anxious"]["intro"]),
        kn.clean(kn.terms()["bril"]["text"]),
        kn.message("term_offer"),
    ]


def test_something_else_asks_to_rephrase_with_the_topic_menu(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        ab.ActionAnswerChoice(),
        tracker(latest_message=choice("other")),
        dispatcher,
        domain,
    )
    [sent] = dispatcher.messages
    assert sent["text"] == kn.message("ask_back_rephrase")
    menu = ab.settings()["menu"]
    assert [b["payload"] for b in sent["buttons"]] == [
        ab.payload(f"faq/{key}") for key in menu
    ]
    assert events == [SlotSet("topic_options", None)]


def test_unknown_choice_is_not_answered(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        ab.ActionAnswerChoice(),
        tracker(latest_message=choice("faq/not_a_topic")),
        dispatcher,
        domain,
    )
    assert [m["text"] for m in dispatcher.messages] == [kn.message("ask_back_expired")]
