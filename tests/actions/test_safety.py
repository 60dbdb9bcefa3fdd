"""Tests for actions/safety.py: the crisis action and deleting a conversation."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from rasa_sdk.events import SlotSet

from actions import safety
from hechtwijzer_core.helplines import helpline_content


def run(
    action: Any, dispatcher: Any, tracker: Any, domain: Dict[str, Any]
) -> List[Dict[str, Any]]:
    """Run an async SDK action synchronously."""
    import asyncio

    return asyncio.run(action.run(dispatcher, tracker, domain))


def must_appear() -> List[str]:
    """The strings every crisis reply must contain (from helplines.yml)."""
    return list(helpline_content()["must_appear"])


def test_crisis_outside_questionnaire(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """Outside the questions: the reply with every number, and the crisis slot."""
    events = run(
        safety.ActionRespondCrisis(),
        dispatcher,
        tracker(intent="crisis", text="ik wil niet meer leven"),
        domain,
    )
    assert events == [
        SlotSet("crisis_detected", True),
        SlotSet("crisis_checkin_return", None),
    ]
    assert len(dispatcher.messages) == 1
    text = dispatcher.messages[0]["text"]
    assert all(item in text for item in must_appear())
    assert helpline_content()["reply"]["paused"] not in text


def test_crisis_inside_questionnaire_pauses(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """During the questions: reply with the pause note; answers are not touched."""
    current = tracker(
        intent="crisis",
        text="ik kan het niet meer aan",
        slots={"q01": "4", "requested_slot": "q02"},
        active_loop="questionnaire_form",
    )
    events = run(safety.ActionRespondCrisis(), dispatcher, current, domain)
    assert events == [
        SlotSet("crisis_detected", True),
        SlotSet("crisis_checkin_return", None),
        SlotSet("questionnaire_paused", True),
    ]
    assert not any(e.get("event") == "slot" and e.get("name") == "q01" for e in events)
    text = dispatcher.messages[0]["text"]
    assert helpline_content()["reply"]["paused"] in text
    assert all(item in text for item in must_appear())


def test_delete_asks_first(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """'verwijder mijn gegevens' only asks; nothing is deleted yet."""
    events = run(
        safety.ActionDeleteData(), dispatcher, tracker(intent="delete_data"), domain
    )
    assert events == []
    assert [m.get("response") for m in dispatcher.messages] == ["utter_ask_delete_data"]
    assert not any(m.get("custom") for m in dispatcher.messages)
    payloads = [
        b["payload"] for b in domain["responses"]["utter_ask_delete_data"][0]["buttons"]
    ]
    assert payloads == ["/confirm_delete_data", "/cancel_delete_data"]


def test_delete_after_confirmation(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """On confirmation only the marker: the channel says "gewist" after the delete."""
    events = run(
        safety.ActionDeleteData(),
        dispatcher,
        tracker(intent="confirm_delete_data"),
        domain,
    )
    assert events == []  # nothing reset: a failed delete leaves everything whole
    assert [m.get("custom") for m in dispatcher.messages] == [
        {"hechtwijzer": "delete_conversation"}
    ]
    assert not any(m.get("response") or m.get("text") for m in dispatcher.messages)


def test_delete_confirmed_during_questions(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """Confirmed during the questions: same events (the rule stops the form)."""
    current = tracker(intent="confirm_delete_data", active_loop="questionnaire_form")
    events = run(safety.ActionDeleteData(), dispatcher, current, domain)
    assert events == []
    assert dispatcher.messages[-1]["custom"] == {"hechtwijzer": "delete_conversation"}


def test_domain_declares_actions_intents_and_responses(domain: Dict[str, Any]) -> None:
    """Everything the safety actions and rules use is in the domain."""
    for action in ("action_respond_crisis", "action_delete_data"):
        assert action in domain["actions"]
    for intent in (
        "crisis",
        "delete_data",
        "confirm_delete_data",
        "cancel_delete_data",
        "request_disclaimer",
    ):
        assert intent in domain["intents"]
    for response in (
        "utter_disclaimer",
        "utter_ask_delete_data",
        "utter_data_deleted",
        "utter_data_delete_failed",
        "utter_delete_data_cancelled",
    ):
        assert response in domain["responses"]
    for slot in ("crisis_detected", "questionnaire_paused"):
        assert domain["slots"][slot]["mappings"] == [{"type": "custom"}]


def test_delete_texts_say_what_telegram_keeps(domain: Dict[str, Any]) -> None:
    """On Telegram the question and the confirmation say the chat stays in Telegram."""
    for name in ("utter_ask_delete_data", "utter_data_deleted"):
        variants = domain["responses"][name]
        telegram = [v for v in variants if v.get("channel") == "telegram"]
        assert len(telegram) == 1, name
        assert "blijft in Telegram" in telegram[0]["text"] or (
            "staat nog in Telegram" in telegram[0]["text"]
        )
        assert (
            "Telegram" not in [v for v in variants if not v.get("channel")][0]["text"]
        )
    failed = domain["responses"]["utter_data_delete_failed"]
    assert all("niets gewist" in v["text"] for v in failed)


def test_disclaimer_says_no_diagnosis(domain: Dict[str, Any]) -> None:
    """The disclaimer says: explanation, no diagnosis, no treatment."""
    text = domain["responses"]["utter_disclaimer"][0]["text"].lower()
    assert "geen diagnose" in text and "behandeling" in text


ASKED = {
    "event": "bot",
    "text": "Wil je dat ik alles wis?",
    "data": {"buttons": [{"title": "Ja", "payload": "/confirm_delete_data"}]},
}


def test_typed_yes_right_after_the_question_confirms(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """'ja' typed after the delete question counts as the 'yes' button."""
    current = tracker(intent="affirm", events=[ASKED, {"event": "user", "text": "ja"}])
    assert run(safety.ActionDeleteData(), dispatcher, current, domain) == []
    assert dispatcher.messages[-1]["custom"] == {"hechtwijzer": "delete_conversation"}


def test_typed_yes_elsewhere_only_asks(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """'ja' after some other bot message never deletes."""
    other = {"event": "bot", "text": "Wil je meer weten?", "data": {}}
    current = tracker(intent="affirm", events=[ASKED, other])
    assert run(safety.ActionDeleteData(), dispatcher, current, domain) == []
    assert not any(m.get("custom") for m in dispatcher.messages)


def test_non_text_offer_names_the_help_lines(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """A voice note may come from someone who is not OK: one line of help follows."""
    events = run(safety.ActionOfferHelplines(), dispatcher, tracker(), domain)
    assert events == []
    text = dispatcher.messages[0]["text"]
    assert "0800-0113" in text and "112" in text and "1813" in text
