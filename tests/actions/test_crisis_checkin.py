"""Tests for actions/crisis_checkin.py: the direct check-in after a passive signal."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions import crisis_checkin
from actions.crisis_checkin import (
    NO,
    SOMETIMES,
    UNCLEAR,
    YES,
    ActionHandleCrisisCheckin,
    ActionPrepareCrisisCheckin,
    ValidateCrisisCheckinForm,
    read_checkin_answer,
)
from hechtwijzer_core.helplines import helpline_content


def run(
    action: Any, dispatcher: Any, tracker: Any, domain: Dict[str, Any]
) -> List[Dict[str, Any]]:
    """Run an async SDK action synchronously."""
    return asyncio.run(action.run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("ja", YES),
        ("Ja.", YES),
        ("jawel", YES),
        ("klopt", YES),
        ("soms", SOMETIMES),
        ("af en toe wel", SOMETIMES),
        ("weet ik niet", SOMETIMES),
        ("nee, soms wel", SOMETIMES),
        ("ja en nee", SOMETIMES),
        ("nee", NO),
        ("Nee hoor", NO),
        ("neen", NO),
        ("nee zo bedoelde ik het niet", NO),
        ("nog niet", SOMETIMES),
        ("niet vandaag", SOMETIMES),
        ("dat zeg ik liever niet", SOMETIMES),
        ("niet echt", SOMETIMES),
        ("altijd", YES),
        ("de hele tijd eigenlijk", YES),
        ("wat bedoel je?", UNCLEAR),
        ("", UNCLEAR),
    ],
)
def test_typed_answers(text: str, answer: str) -> None:
    """Typed answers map to yes / sometimes / no; mixed answers count as sometimes."""
    assert read_checkin_answer(text) == answer


def test_a_crisis_in_the_answer_counts_as_yes() -> None:
    """'nee maar ik heb pillen gespaard' is no 'no'."""
    assert read_checkin_answer("nee maar ik heb pillen gespaard") == YES
    assert read_checkin_answer("nee", "crisis") == YES
    assert read_checkin_answer("ik weet het niet", "crisis_check") == SOMETIMES


def test_answer_words_are_strings() -> None:
    """YAML would turn a bare yes/no into a boolean; every phrase must be text."""
    answers = helpline_content()["checkin"]["answers"]
    assert set(answers) == {"yes", "sometimes", "no"}
    assert all(isinstance(p, str) for phrases in answers.values() for p in phrases)


def test_prepare_during_the_questions_remembers_them(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """The questions are paused (answers untouched) and remembered for later."""
    current = tracker(
        intent="crisis_check",
        text="ik kan niet meer",
        slots={"q01": 4, "requested_slot": "q02"},
        active_loop="questionnaire_form",
    )
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert SlotSet("crisis_checkin_return", "questionnaire_form") in events
    assert SlotSet("questionnaire_paused", True) in events
    assert not any(e.get("name") == "q01" for e in events)
    assert dispatcher.messages == []


def _answer_events(text: str) -> List[Dict[str, Any]]:
    return [
        {"event": "bot", "text": "vraag"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
    ]


@pytest.mark.parametrize(("text", "value"), [("soms", SOMETIMES), ("nee", NO)])
def test_validation_sets_the_answer(
    text: str,
    value: str,
    dispatcher: Any,
    tracker: Callable[..., Any],
    domain: Dict[str, Any],
) -> None:
    """A clear answer fills the slot; nothing is said yet."""
    current = tracker(
        text=text,
        intent="deny",
        slots={"requested_slot": "crisis_checkin_answer"},
        events=_answer_events(text),
        active_loop="crisis_checkin_form",
    )
    events = run(ValidateCrisisCheckinForm(), dispatcher, current, domain)
    assert SlotSet("crisis_checkin_answer", value) in events
    assert dispatcher.messages == []


def test_unclear_is_asked_once_more_then_taken_as_unclear(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """The first unclear answer gets a gentle re-ask; the second ends the check-in."""
    first = tracker(
        text="hoezo",
        slots={"requested_slot": "crisis_checkin_answer", "crisis_checkin_attempts": 0},
        events=_answer_events("hoezo"),
        active_loop="crisis_checkin_form",
    )
    events = run(ValidateCrisisCheckinForm(), dispatcher, first, domain)
    assert SlotSet("crisis_checkin_answer", None) in events
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_crisis_checkin_not_understood"
    ]
    second = tracker(
        text="hoezo dan",
        slots={"requested_slot": "crisis_checkin_answer", "crisis_checkin_attempts": 1},
        events=_answer_events("hoezo dan"),
        active_loop="crisis_checkin_form",
    )
    events = run(ValidateCrisisCheckinForm(), dispatcher, second, domain)
    assert SlotSet("crisis_checkin_answer", UNCLEAR) in events


@pytest.mark.parametrize("answer", [YES, SOMETIMES, UNCLEAR])
def test_yes_sometimes_or_unclear_gives_the_full_reply(
    answer: str, dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """Ja, soms, or still unclear after asking twice: every help line, Belgium too."""
    current = tracker(slots={"crisis_checkin_answer": answer})
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    text = dispatcher.messages[0]["text"]
    assert all(item in text for item in helpline_content()["must_appear"])
    assert SlotSet("crisis_detected", True) in events
    assert not any(e.get("event") == "active_loop" for e in events)


def test_no_outside_the_questions(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """Nee: an acknowledgement and the help lines offered in one line, nothing more."""
    current = tracker(slots={"crisis_checkin_answer": NO})
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    assert dispatcher.messages[0]["response"] == "utter_crisis_checkin_no"
    assert dispatcher.messages[1]["text"] == crisis_checkin.helpline_offer()
    assert "0800-0113" in dispatcher.messages[1]["text"]
    assert len(dispatcher.messages) == 2
    assert not any(e.get("event") == "active_loop" for e in events)


def test_no_during_the_questions_goes_back_to_them(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """After a nee the questions are active again (the form asks the open question)."""
    current = tracker(
        slots={
            "crisis_checkin_answer": NO,
            "crisis_checkin_return": "questionnaire_form",
            "q01": 4,
        }
    )
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    assert ActiveLoop("questionnaire_form") in events
    assert SlotSet("questionnaire_paused", False) in events
    assert not any(e.get("name") == "q01" for e in events)
    assert (
        dispatcher.messages[-1]["response"] == "utter_crisis_checkin_back_to_questions"
    )


def test_asking_to_stop_or_delete_ends_the_check_in_at_once(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """'stop' or 'verwijder mijn gegevens' is no answer: no second question."""
    current = tracker(
        text="stop",
        intent="stop_questionnaire",
        slots={"requested_slot": "crisis_checkin_answer", "crisis_checkin_attempts": 0},
        events=_answer_events("stop"),
        active_loop="crisis_checkin_form",
    )
    events = run(ValidateCrisisCheckinForm(), dispatcher, current, domain)
    assert SlotSet("crisis_checkin_answer", UNCLEAR) in events
    assert dispatcher.messages == []


def test_a_crisis_in_the_answer_orders_the_help_lines(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """'ja, ik heb net alle pillen genomen' puts 112 first (overdose), not 113."""
    events = [
        {"event": "user", "text": "ik ben levensmoe"},
        {"event": "action", "name": "action_prepare_crisis_checkin"},
        {"event": "user", "text": "ja, ik heb net alle pillen geslikt"},
    ]
    current = tracker(
        text="ja, ik heb net alle pillen geslikt",
        slots={"crisis_checkin_answer": YES},
        events=events,
    )
    run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    text = dispatcher.messages[0]["text"]
    assert text.index("112") < text.index("0800-0113")


def test_a_request_to_delete_during_the_check_in_is_not_lost(
    dispatcher: Any,
    tracker: Callable[..., Any],
    domain: Dict[str, Any],
) -> None:
    """'verwijder mijn gegevens' as the answer: the help lines, then the delete action."""
    current = tracker(
        text="verwijder mijn gegevens",
        intent="delete_data",
        slots={"crisis_checkin_answer": UNCLEAR},
    )
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    assert all(
        item in dispatcher.messages[0]["text"]
        for item in helpline_content()["must_appear"]
    )
    assert SlotSet("crisis_detected", True) in events
    assert events[-1] == FollowupAction("action_delete_data")


def test_no_delete_follows_an_ordinary_answer(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """Only a request to delete brings the delete action after the help lines."""
    current = tracker(
        text="soms", intent="inform", slots={"crisis_checkin_answer": SOMETIMES}
    )
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    assert not any(e.get("event") == "followup" for e in events)


def test_no_with_a_request_to_delete_asks_the_delete_question(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """'nee, verwijder mijn gegevens' during the questions: no resuming, delete next."""
    current = tracker(
        text="nee, verwijder mijn gegevens",
        intent="delete_data",
        slots={
            "crisis_checkin_answer": NO,
            "crisis_checkin_return": "questionnaire_form",
        },
    )
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    assert dispatcher.messages[0]["response"] == "utter_crisis_checkin_no"
    assert events[-1] == FollowupAction("action_delete_data")
    assert ActiveLoop("questionnaire_form") not in events


def _at_question_two(
    tracker: Callable[..., Any],
    text: str,
    detector: str,
    classifier: str,
    classifier_intent: str = "faq",
) -> Any:
    """Mid-questionnaire at q02, a message that brought a check-in, with the guard's record."""
    message = {
        "text": text,
        "intent": {"name": "crisis_check", "confidence": 1.0},
        "entities": [],
        "crisis_rule": {
            "level": "check",
            "detector": detector,
            "classifier": classifier,
            "classifier_intent": classifier_intent,
        },
    }
    return tracker(
        latest_message=message,
        slots={"q01": 4, "requested_slot": "q02"},
        active_loop="questionnaire_form",
    )


def test_a_clear_answer_that_brought_the_check_in_is_kept(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """A plain answer only the learned model took for a signal is kept, silently."""
    current = _at_question_two(tracker, "ik blijf altijd rustig", "check", "none")
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert SlotSet("q02", 5) in events
    assert SlotSet("questionnaire_paused", True) in events
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "detector", "classifier"),
    [
        ("altijd, ik kan niet meer", "check", "none"),  # the patterns find a signal
        ("hoe bedoel je altijd?", "check", "none"),  # a question, not an answer
        ("daar lig ik wakker van", "check", "none"),  # no clear point of the scale
        ("nooit, ik zie het nergens meer zitten", "check", "check"),  # both readers
    ],
)
def test_no_answer_is_kept_from_a_signal_or_an_unclear_message(
    text: str,
    detector: str,
    classifier: str,
    dispatcher: Any,
    tracker: Callable[..., Any],
    domain: Dict[str, Any],
) -> None:
    """Only a clear answer that one reader alone took for a signal is kept."""
    current = _at_question_two(tracker, text, detector, classifier)
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert not any(e.get("name") == "q02" for e in events)
    assert dispatcher.messages == []


def test_no_answer_is_kept_when_the_classifier_said_crisis(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """The guard turns a classifier 'crisis' into a check-in; nothing is kept then."""
    current = _at_question_two(
        tracker, "nooit, ik ben er binnenkort niet meer", "none", "check", "crisis"
    )
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert not any(e.get("name") == "q02" for e in events)


def _events_with_kept_answer() -> List[Dict[str, Any]]:
    return [
        {"event": "user", "text": "ik blijf altijd rustig"},
        {"event": "action", "name": "action_prepare_crisis_checkin"},
        {"event": "slot", "name": "q02", "value": 5},
        {"event": "action", "name": "crisis_checkin_form"},
    ]


def _answered_check_in(tracker: Callable[..., Any], answer: str) -> Any:
    """The check-in answered, after a message whose answer to q02 was kept."""
    return tracker(
        slots={
            "crisis_checkin_answer": answer,
            "crisis_checkin_return": "questionnaire_form",
            "q01": 4,
            "q02": 5,
        },
        events=_events_with_kept_answer(),
    )


def test_no_names_the_kept_answer_and_goes_on(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """After a nee the kept answer is named, then the questions go on."""
    current = _answered_check_in(tracker, NO)
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    assert ActiveLoop("questionnaire_form") in events
    assert not any(e.get("name") == "q02" for e in events)
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses[-2:] == [
        "utter_answer_noted",
        "utter_crisis_checkin_back_to_questions",
    ]
    assert dispatcher.messages[-2]["answer_label"] == "Bijna altijd"


@pytest.mark.parametrize("answer", [YES, SOMETIMES, UNCLEAR])
def test_anything_but_no_drops_the_kept_answer(
    answer: str, dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """In doubt the kept answer goes, so its question is asked again later."""
    current = _answered_check_in(tracker, answer)
    events = run(ActionHandleCrisisCheckin(), dispatcher, current, domain)
    assert SlotSet("q02", None) in events
    assert "utter_answer_noted" not in [m.get("response") for m in dispatcher.messages]


def test_a_crisis_while_the_check_in_waits_drops_the_kept_answer(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """'ja, ik wil dood' goes to the crisis reply; the kept answer goes with it."""
    from actions.safety import ActionRespondCrisis

    current = tracker(
        text="ja, ik wil dood",
        intent="crisis",
        slots={"q02": 5, "crisis_checkin_return": "questionnaire_form"},
        events=_events_with_kept_answer(),
        active_loop="crisis_checkin_form",
    )
    events = run(ActionRespondCrisis(), dispatcher, current, domain)
    assert SlotSet("q02", None) in events
    answered = _events_with_kept_answer() + [
        {"event": "action", "name": "action_handle_crisis_checkin"}
    ]
    later = tracker(text="ik wil dood", intent="crisis", events=answered)
    later_events = run(ActionRespondCrisis(), dispatcher, later, domain)
    assert not any(e.get("name") == "q02" for e in later_events)


#: A FAQ response as Rasa hands it to the action server (with an offer button).
FAQ_RESPONSE = {
    "utter_faq/children": [
        {
            "text": "Je eigen stijl kleurt hoe je als ouder reageert.",
            "buttons": [{"title": "Vertel meer", "payload": "/tell_more"}],
        }
    ]
}


def _question_with_signal(
    tracker: Callable[..., Any],
    text: str,
    detector: str = "check",
    classifier: str = "none",
    decision: str = "answer",
    label: str = "faq/children",
) -> Any:
    """Outside the questions: a question the guard turned into a check-in."""
    message = {
        "text": text,
        "intent": {"name": "crisis_check", "confidence": 1.0},
        "entities": [],
        "crisis_rule": {
            "level": "check",
            "categories": [],
            "detector": detector,
            "model": detector,
            "incomplete": False,
            "classifier": classifier,
            "classifier_intent": "faq",
        },
        "topic_choice": {"decision": decision, "label": label, "options": []},
    }
    return tracker(latest_message=message)


def test_a_clear_question_only_the_model_flagged_is_answered_before_the_check_in(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """The answer, one line to bridge, and the form asks the check-in next."""
    current = _question_with_signal(
        tracker,
        "ik heb drie kinders en ben zelf nie veilig gehecht, nemen die da over?",
    )
    with_faq = {**domain, "responses": {**domain["responses"], **FAQ_RESPONSE}}
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, with_faq)
    first, last = dispatcher.messages[0], dispatcher.messages[-1]
    assert first["text"] == FAQ_RESPONSE["utter_faq/children"][0]["text"]
    assert not first.get("buttons")  # the check-in's buttons are the only ones
    assert last["response"] == "utter_crisis_checkin_after_answer"
    assert SlotSet("last_topic", "children") in events
    assert SlotSet("crisis_checkin_answer", None) in events


def test_without_the_text_in_the_domain_the_response_is_sent(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """A domain without the FAQ texts still gets the answer, as the response."""
    current = _question_with_signal(tracker, "geef ik dit door aan mijn kinderen?")
    run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert dispatcher.messages[0]["response"] == "utter_faq/children"
    assert dispatcher.messages[-1]["response"] == "utter_crisis_checkin_after_answer"


def test_a_failing_answer_never_stops_the_check_in(
    dispatcher: Any,
    tracker: Callable[..., Any],
    domain: Dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the answer cannot be made, the check-in and the pause go out as before."""

    def broken(*_: Any, **__: Any) -> Any:
        raise KeyError("children")

    monkeypatch.setattr(crisis_checkin.knowledge, "send_topic", broken)
    message = _question_with_signal(
        tracker, "geef ik dit door aan mijn kinderen?"
    ).latest_message
    current = tracker(
        latest_message=message,
        slots={"q01": 4, "requested_slot": "q02"},
        active_loop="questionnaire_form",
    )
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert dispatcher.messages == []
    assert SlotSet("questionnaire_paused", True) in events
    assert SlotSet("crisis_checkin_return", "questionnaire_form") in events


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("term/bindingsangst", "Bindingsangst is"),
        ("style/avoidant", "Bij de angstig-vermijdende stijl"),
    ],
)
def test_terms_and_styles_are_answered_before_the_check_in_too(
    label: str,
    text: str,
    dispatcher: Any,
    tracker: Callable[..., Any],
    domain: Dict[str, Any],
) -> None:
    """A concept or a style the understanding was sure of is explained first."""
    current = _question_with_signal(tracker, "vraagje", label=label)
    run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert str(dispatcher.messages[0].get("text")).startswith(text)
    assert dispatcher.messages[-1]["response"] == "utter_crisis_checkin_after_answer"
    assert len(dispatcher.messages) == 2  # no offer to tell more in between


@pytest.mark.parametrize(
    ("text", "detector", "classifier", "decision", "label"),
    [
        # the intent classifier read a signal too
        (
            "geef ik dit door aan mijn kinderen?",
            "check",
            "check",
            "answer",
            "faq/children",
        ),
        # the understanding was not sure which answer: no guess beside a check-in
        ("geef ik dit door aan mijn kinderen?", "check", "none", "ask", "faq/children"),
        # not a knowledge answer
        ("geef ik dit door aan mijn kinderen?", "check", "none", "answer", "greet"),
        (
            "geef ik dit door aan mijn kinderen?",
            "check",
            "none",
            "answer",
            "faq/nothing",
        ),
        (
            "geef ik dit door aan mijn kinderen?",
            "check",
            "none",
            "answer",
            "style/insecure",
        ),
    ],
)
def test_the_check_in_comes_alone_otherwise(
    text: str,
    detector: str,
    classifier: str,
    decision: str,
    label: str,
    dispatcher: Any,
    tracker: Callable[..., Any],
    domain: Dict[str, Any],
) -> None:
    """Only a sure question that the learned model alone flagged gets its answer first."""
    current = _question_with_signal(
        tracker, text, detector, classifier, decision, label
    )
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert dispatcher.messages == []
    assert not any(e.get("name") == "last_topic" for e in events)


@pytest.mark.parametrize(
    "change",
    [
        {
            "categories": ["hopeless"]
        },  # a pattern the guard found ("ik zie het niet meer zitten")
        {"model": "none"},  # the check-in came from elsewhere
        {"incomplete": True},  # the reading ran out of time
        {"incomplete": None},  # a record without the flag
    ],
)
def test_the_guard_record_must_show_the_model_alone(
    change: Dict[str, Any],
    dispatcher: Any,
    tracker: Callable[..., Any],
    domain: Dict[str, Any],
) -> None:
    """Only a complete reading where the model alone asked gets an answer first."""
    current = _question_with_signal(tracker, "geef ik dit door aan mijn kinderen?")
    current.latest_message["crisis_rule"].update(change)
    run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert dispatcher.messages == []


def test_a_kept_answer_gets_no_knowledge_answer_beside_it(
    dispatcher: Any, tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    """A typed answer kept during the questions is not also answered as a question."""
    current = _at_question_two(tracker, "ik blijf altijd rustig", "check", "none")
    current.latest_message["topic_choice"] = {
        "decision": "answer",
        "label": "faq/strategies",
    }
    events = run(ActionPrepareCrisisCheckin(), dispatcher, current, domain)
    assert SlotSet("q02", 5) in events
    assert dispatcher.messages == []
