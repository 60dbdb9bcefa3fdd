"""Tests for actions/safety.py: the crisis reply and deleting a conversation."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import pytest
from rasa_sdk.events import SlotSet

from actions import safety
from actions.content_store import load_content

CATEGORIES = [
    "suicide",
    "method",
    "overdose",
    "plan",
    "passive",
    "self_harm",
    "violence",
    "sexual_abuse",
    "danger",
    "general",
]


def run(
    action: Any, dispatcher: Any, tracker: Any, domain: Dict[str, Any]
) -> List[Dict[str, Any]]:
    """Run an async SDK action synchronously."""
    import asyncio

    return asyncio.run(action.run(dispatcher, tracker, domain))


def must_appear() -> List[str]:
    """The strings every crisis reply must contain (from helplines.yml)."""
    return list(load_content("helplines")["must_appear"])


def test_helplines_file_has_the_required_numbers() -> None:
    """The one content file holds 113 (chat, phone, free number), 112, Veilig Thuis, GP."""
    required = {
        "113.nl",
        "113",
        "0800-0113",
        "112",
        "0800-2000",
        "Veilig Thuis",
        "huisarts",
    }
    assert required <= set(must_appear())


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("paused", [False, True])
def test_every_crisis_reply_contains_every_number(category: str, paused: bool) -> None:
    """Each reply variant names every helpline, whatever the category."""
    reply = safety.crisis_reply([category], paused=paused)
    missing = [item for item in must_appear() if item not in reply]
    assert missing == []


def test_reply_orders_help_by_category() -> None:
    """Violence at home puts Veilig Thuis first; danger puts 112 first."""
    violence = safety.crisis_reply(["violence"])
    assert violence.index("0800-2000") < violence.index("0800-0113")
    danger = safety.crisis_reply(["danger"])
    assert danger.index("112") < danger.index("0800-0113")
    suicide = safety.crisis_reply(["suicide"])
    assert suicide.index("0800-0113") < suicide.index("0800-2000")


def test_unknown_category_falls_back_to_general() -> None:
    """Unknown categories still get the full general reply."""
    assert safety.crisis_reply(["whatever"]) == safety.crisis_reply([])


def test_crisis_categories_ignores_payloads() -> None:
    """The /crisis payload from the channel (long text) has no categories."""
    assert safety.crisis_categories("/crisis") == []
    assert safety.crisis_categories("mijn vriend slaat me") == ["violence"]


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
    assert load_content("helplines")["reply"]["paused"] not in text


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
    assert load_content("helplines")["reply"]["paused"] in text
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


@pytest.mark.parametrize(
    ("text", "intent"),
    [("/crisis", None), ("mijn vriend slaat me", None), ("zomaar iets", "crisis")],
)
def test_offline_crisis_reply_for_silent_turns(text: str, intent: str) -> None:
    """With the action server down, the guard can still send every number."""
    reply = safety.offline_crisis_reply(text, intent)
    assert reply is not None
    assert all(item in reply for item in must_appear())


def test_offline_crisis_reply_is_none_otherwise() -> None:
    """Ordinary silent turns get the guard's own message, not the crisis reply."""
    assert safety.offline_crisis_reply("wat is hechting?", "faq") is None
    assert safety.offline_crisis_reply("", None) is None


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


def test_every_reply_names_belgium_in_one_line() -> None:
    """Belgium's help lines (1813, 112, 1712) come last, on one line of their own."""
    for category in CATEGORIES:
        lines = safety.crisis_reply([category]).splitlines()
        belgian = [line for line in lines if "1813" in line]
        assert len(belgian) == 1
        assert "zelfmoord1813.be" in belgian[0] and "1712" in belgian[0]
        assert "112" in belgian[0]
        helplines = [line for line in lines if line.startswith("- ")]
        assert helplines[-1] == belgian[0]


def test_overdose_reply_starts_with_112() -> None:
    """Someone who took too much is told to call 112 first."""
    reply = safety.crisis_reply(["overdose"])
    assert reply.index("112") < reply.index("0800-0113")


def test_numbers_live_only_in_helplines_yml() -> None:
    """No help-line number is written in Python, the domain or other content."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    numbers = ["0800-0113", "0800-2000", "1813", "1712"]
    places = [
        *root.glob("actions/**/*.py"),
        *root.glob("bot/**/*.py"),
        *root.glob("domain/*.yml"),
        *(p for p in root.glob("actions/content/*.yml") if p.name != "helplines.yml"),
        *root.glob("bot/content/*.yml"),
    ]
    found = [
        f"{p.relative_to(root)}: {n}"
        for p in places
        for n in numbers
        if n in p.read_text(encoding="utf-8")
    ]
    assert found == []


def test_offline_reply_for_a_check_in_turn_gives_the_help_lines() -> None:
    """Without the action server a check-in cannot be asked: the help lines instead."""
    reply = safety.offline_crisis_reply("/crisis_check", "crisis_check")
    assert reply is not None and "0800-0113" in reply and "1813" in reply


def test_non_text_offer_names_the_help_lines(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """A voice note may come from someone who is not OK: one line of help follows."""
    events = run(safety.ActionOfferHelplines(), dispatcher, tracker(), domain)
    assert events == []
    text = dispatcher.messages[0]["text"]
    assert "0800-0113" in text and "112" in text and "1813" in text
