"""Unit tests of the questionnaire actions (the package actions/questionnaire/)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.questionnaire import content as qc
from actions.questionnaire import form as qf
from actions.questionnaire import navigation as qnav
from actions.scoring import answers_from_slots, score

Events = list[dict[str, Any]]
MakeTracker = Callable[..., Tracker]

FORM = "questionnaire_form"
ROOT = Path(__file__).resolve().parents[2]
ALL_IDS = ["relationship_context", *[f"q{i:02d}" for i in range(1, 17)]]


def run(action: Action, dispatcher: Any, tracker: Tracker, domain: Any) -> Events:
    """Run an action the way the action server does."""
    return asyncio.run(action.run(dispatcher, tracker, domain))


def fresh_events(text: str) -> Events:
    """Events of a turn where the form runs right after a user message."""
    return [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
        {"event": "action", "name": "action_extract_slots"},
        {"event": "slot", "name": "requested_slot", "value": "q03"},
        {"event": "action", "name": FORM},
    ]


def filled(upto: int, value: Any = 3) -> dict[str, Any]:
    """Slots with the context and q01..q<upto> answered."""
    slots: dict[str, Any] = {qid: None for qid in ALL_IDS}
    slots["relationship_context"] = "partner"
    for i in range(1, upto + 1):
        slots[f"q{i:02d}"] = value
    return slots


def in_form(
    tracker: MakeTracker,
    requested: str,
    *,
    text: str = "",
    intent: str = "answer_question",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: Events | None = None,
) -> Tracker:
    """A tracker inside the running form with ``requested`` being asked."""
    all_slots = {**(slots or filled(0)), "requested_slot": requested}
    return tracker(
        slots=all_slots,
        intent=intent,
        text=text,
        entities=entities,
        events=events if events is not None else fresh_events(text),
        active_loop=FORM,
    )


def button(question_id: str, value: str) -> tuple[str, list[dict[str, Any]]]:
    """Text and entities of an answer-button press."""
    payload = qc.answer_payload(question_id, value)
    entities = [
        {"entity": "question_id", "value": question_id},
        {"entity": "answer_value", "value": value},
    ]
    return payload, entities


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    """Names of the domain responses the action sent."""
    return [message.get("response") for message in dispatcher.messages]


def slot_events(events: Events) -> dict[str, Any]:
    """Name -> value of the SlotSet events."""
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


# --- content and domain agree ---------------------------------------------------


def test_form_slots_actions_and_content_agree(domain: dict[str, Any]) -> None:
    """Every question is a required slot with a custom mapping and an ask action."""
    questionnaire = qc.load_questionnaire()
    assert list(questionnaire.ids) == ALL_IDS
    assert domain["forms"][FORM]["required_slots"] == ALL_IDS
    registered = {cls().name() for cls in qf.AskQuestionBase.__subclasses__()}
    for qid in ALL_IDS:
        assert domain["slots"][qid]["mappings"] == [{"type": "custom"}]
        assert f"action_ask_{qid}" in domain["actions"]
        assert f"action_ask_{qid}" in registered
    assert questionnaire.total == 16


def test_generated_ask_actions_are_the_domains_ask_actions() -> None:
    """One ask action per questions.yml id, named as domain/questionnaire.yml lists them."""
    domain_file = ROOT / "domain" / "questionnaire.yml"
    listed = [
        name
        for name in yaml.safe_load(domain_file.read_text(encoding="utf-8"))["actions"]
        if name.startswith("action_ask_")
    ]
    generated = [cls().name() for cls in qf.ASK_ACTIONS.values()]
    assert generated == listed
    assert list(qf.ASK_ACTIONS) == list(qc.question_ids()) == ALL_IDS
    assert qf.ASK_ACTIONS["relationship_context"].__name__ == (
        "ActionAskRelationshipContext"
    )


def test_action_server_registers_every_questionnaire_action() -> None:
    """rasa_sdk's package scan finds every action domain/questionnaire.yml lists."""
    domain_file = ROOT / "domain" / "questionnaire.yml"
    listed = yaml.safe_load(domain_file.read_text(encoding="utf-8"))["actions"]
    executor = ActionExecutor()
    executor.register_package("actions")
    assert len(listed) == len(ALL_IDS) + 9
    assert set(listed) <= set(executor.actions)


@pytest.mark.parametrize(
    ("slots", "progress"),
    [
        ({}, qnav.Progress.NOT_STARTED),
        ({"relationship_context": "partner"}, qnav.Progress.IN_PROGRESS),
        ({"q07": "skipped"}, qnav.Progress.IN_PROGRESS),
        (filled(15), qnav.Progress.IN_PROGRESS),
        ({**filled(16), "relationship_context": None}, qnav.Progress.IN_PROGRESS),
        (filled(16), qnav.Progress.FINISHED),
        ({**filled(16), "q16": "skipped"}, qnav.Progress.FINISHED),
    ],
)
def test_progress_is_decided_from_the_answer_slots(
    tracker: MakeTracker, slots: dict[str, Any], progress: qnav.Progress
) -> None:
    """No value: not started; every question (the context too) a value: finished."""
    questionnaire = qc.load_questionnaire()
    assert qnav.progress_of(tracker(slots=slots), questionnaire) is progress


def test_every_response_the_actions_use_exists(domain: dict[str, Any]) -> None:
    """The response names used in the questionnaire modules are in the domain."""
    source = "".join(
        open(module.__file__ or "", encoding="utf-8").read()
        for module in (qc, qf, qnav)
    )
    used = {
        part.split('"')[0]
        for part in source.split('response="')[1:]
        if part.split('"')[0].startswith("utter_")
    }
    assert used, "no responses found"
    missing = used - set(domain["responses"])
    assert not missing


# --- asking --------------------------------------------------------------------


def test_ask_numbered_question_sends_progress_text_and_buttons(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'Vraag 3 van 16' on its own line, the text, and five buttons naming q03."""
    events = run(qf.ASK_ACTIONS["q03"](), dispatcher, tracker(), domain)
    assert events == []
    assert len(dispatcher.messages) == 1
    message = dispatcher.messages[0]
    first_line, rest = message["text"].split("\n", 1)
    assert first_line == "Vraag 3 van 16"
    assert rest.strip()
    titles = [b["title"] for b in message["buttons"]]
    assert titles == ["Nooit", "Zelden", "Soms", "Vaak", "Bijna altijd"]
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[3] == '/answer_question{"question_id":"q03","answer_value":"4"}'
    for value, payload in enumerate(payloads, start=1):
        body = json.loads(payload[len("/answer_question") :])
        assert body == {"question_id": "q03", "answer_value": str(value)}


def test_ask_context_question_has_relationship_buttons(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """The context question has no number and one button per relationship."""
    run(qf.ASK_ACTIONS["relationship_context"](), dispatcher, tracker(), domain)
    message = dispatcher.messages[0]
    assert not message["text"].startswith("Vraag")
    values = [
        json.loads(b["payload"][len("/answer_question") :])["answer_value"]
        for b in message["buttons"]
    ]
    assert values == ["partner", "family", "work", "friends"]
    assert all(
        '"question_id":"relationship_context"' in b["payload"]
        for b in message["buttons"]
    )


def test_last_question_shows_sixteen_of_sixteen(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """Progress counts only the scored questions."""
    run(qf.ASK_ACTIONS["q16"](), dispatcher, tracker(), domain)
    assert dispatcher.messages[0]["text"].startswith("Vraag 16 van 16\n")


# --- validation ------------------------------------------------------------------


def test_button_for_the_asked_question_is_stored(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """A press on the current question's button stores its value, silently."""
    text, entities = button("q03", "4")
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, entities=entities, slots=filled(2)),
        domain,
    )
    assert slot_events(events) == {"q03": 4}
    assert dispatcher.messages == []


def test_old_button_never_answers_the_wrong_question(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """A press on q02's button while q03 is asked stores nothing and explains."""
    text, entities = button("q02", "5")
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, entities=entities, slots=filled(2, 1)),
        domain,
    )
    assert slot_events(events) == {"q03": None}
    assert responses(dispatcher) == ["utter_answer_old_button"]


@pytest.mark.parametrize("value", ["9", "0", "vaak", ""])
def test_button_with_a_value_off_the_scale_is_asked_again(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    value: str,
) -> None:
    """A forged or broken answer value is not stored."""
    text, entities = button("q03", value)
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, entities=entities),
        domain,
    )
    assert slot_events(events) == {"q03": None}
    assert responses(dispatcher) == ["utter_answer_not_understood"]


@pytest.mark.parametrize(
    ("text", "intent", "value", "label"),
    [
        ("ja, heel vaak", "answer_question", 5, "Bijna altijd"),
        ("nee nooit", "answer_question", 1, "Nooit"),
        ("soms wel", "answer_question", 3, "Soms"),
        ("meestal wel", "answer_question", 4, "Vaak"),
        ("ja vaak", "affirm", 4, "Vaak"),
        ("nee, zelden", "deny", 2, "Zelden"),
        ("weinig", "answer_question", 2, "Zelden"),
        ("meestal wel, zeker als ik moe ben", "answer_question", 4, "Vaak"),
    ],
)
def test_free_text_answer_is_mapped_and_echoed(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    text: str,
    intent: str,
    value: int,
    label: str,
) -> None:
    """Typed answers are read whatever the (non-interrupt) intent, and said back."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent=intent),
        domain,
    )
    assert slot_events(events) == {"q03": value}
    assert responses(dispatcher) == ["utter_answer_noted"]
    assert dispatcher.messages[0]["answer_label"] == label


@pytest.mark.parametrize("text", ["pizza", "ik weet het niet zeker", "vaak of nooit"])
def test_unreadable_text_is_asked_again_not_guessed(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    text: str,
) -> None:
    """Unclear text: friendly message, slot stays empty so the form asks again."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text),
        domain,
    )
    assert slot_events(events) == {"q03": None}
    assert responses(dispatcher) == ["utter_answer_not_understood"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hangt ervan af", "answer_question"),
        ("ligt eraan met wie", "faq"),
        ("dat verschilt per situatie", "nlu_fallback"),
    ],
)
def test_it_differs_is_asked_again_for_what_happens_most(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    text: str,
    intent: str,
) -> None:
    """'Hangt ervan af' is no point of the scale: no guess, and the re-ask says why.

    Also when the classifier read it as a question (it is no FAQ answer then).
    """
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent=intent),
        domain,
    )
    assert slot_events(events) == {"q03": None}
    assert responses(dispatcher) == ["utter_answer_varies"]


@pytest.mark.parametrize(
    ("text", "intent", "response"),
    [
        ("klopt", "affirm", "utter_answer_agrees"),
        ("ja", "affirm", "utter_answer_agrees"),
        ("dat herken ik wel", "answer_question", "utter_answer_agrees"),
        ("nee", "deny", "utter_answer_declines"),
        ("nope", "answer_question", "utter_answer_declines"),
        ("mijn moeder deed dat altijd", "answer_question", "utter_answer_someone_else"),
    ],
)
def test_an_unclear_answer_is_asked_again_saying_why(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    text: str,
    intent: str,
    response: str,
) -> None:
    """No guess, and a re-ask that says why.

    'Klopt' says the reaction is known, not how often; 'nee' leaves never or seldom
    open; 'mijn moeder deed dat altijd' says nothing about the person answering.
    """
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent=intent),
        domain,
    )
    assert slot_events(events) == {"q03": None}
    assert responses(dispatcher) == [response]


def test_a_relationship_question_gets_no_it_differs_re_ask(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
) -> None:
    """The relationship question asks which one, not how often."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "relationship_context", text="hangt ervan af"),
        domain,
    )
    assert slot_events(events) == {"relationship_context": None}
    assert responses(dispatcher) == ["utter_context_not_understood"]


@pytest.mark.parametrize(
    "intent",
    [
        "crisis",
        "crisis_check",
        "stop_questionnaire",
        "go_back",
        "delete_data",
        "ask_why_question",
    ],
)
def test_steering_and_crisis_intents_are_never_taken_as_an_answer(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    intent: str,
) -> None:
    """Even text that reads like an answer is left to the rules (form rejects)."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text="nooit meer, ik kan niet meer", intent=intent),
        domain,
    )
    assert events == []
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_style", "mijn partner is vermijdend, wat is dat"),
        ("faq", "mijn ex is vermijdend, hoe ga ik daarmee om"),
        ("chitchat", "mijn vriend heeft het net uitgemaakt"),
    ],
)
def test_a_question_about_someone_else_is_left_to_the_rules(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    intent: str,
    text: str,
) -> None:
    """Opening with another person is no answer, and no reason to keep the message."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent=intent),
        domain,
    )
    assert events == []
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("intent", "text", "value"),
    [
        ("faq", "weinig", 2),
        ("chitchat", "amper", 2),
        ("nlu_fallback", "zelden tot nooit", 2),
        ("out_of_scope", "heel soms", 2),
        ("skip_question", "meestal", 4),
        ("skip_question", "Vaak. Ik weet niet waarom.", 4),
    ],
)
def test_a_clear_answer_overrules_a_soft_interrupt(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    intent: str,
    text: str,
    value: int,
) -> None:
    """A typed answer the classifier put elsewhere is still read mid-questionnaire."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent=intent),
        domain,
    )
    assert slot_events(events) == {"q03": value}
    assert responses(dispatcher) == ["utter_answer_noted"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("elke keer opnieuw", 5), ("telkens opnieuw", 5), ("nee, helemaal niet", 1)],
)
def test_an_answer_the_classifier_took_for_a_restart_is_read(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    text: str,
    value: int,
) -> None:
    """A restart word inside an answer phrase ("elke keer opnieuw") is an answer."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent="restart_questionnaire"),
        domain,
    )
    assert slot_events(events) == {"q03": value}


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("restart_questionnaire", "opnieuw beginnen"),
        ("restart_questionnaire", "nooit, ik wil opnieuw beginnen"),
        ("restart_questionnaire", "vaak, herstart maar"),
        ("skip_question", "ik weet het niet. vaak?"),
        ("skip_question", "Vaak. Sla deze maar over."),
        ("skip_question", "Vaak. Skip"),
    ],
)
def test_a_real_restart_or_skip_is_left_to_its_rule(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    intent: str,
    text: str,
) -> None:
    """A restart or skip the person means is left to its rule, not read as an answer.

    A restart word outside the answer phrase, a doubt in the first sentence, or a
    skip word anywhere.
    """
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent=intent),
        domain,
    )
    assert events == []
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("faq", "is het erg als ik altijd zo reageer?"),
        ("faq", "wat is een hechtingsstijl"),
        ("chitchat", "hoi"),
        ("nlu_fallback", "paars met groene stippen"),
        ("skip_question", "sla deze maar over"),
        ("skip_question", "geen idee"),
    ],
)
def test_questions_and_other_text_stay_with_the_rules(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    intent: str,
    text: str,
) -> None:
    """A soft interrupt that is no clear answer (or a real skip) is left to the rules."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text=text, intent=intent),
        domain,
    )
    assert events == []
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "text", ["mijn kind", "mijn zoon", "Mijn dochter", "mijn kinderen", "kids"]
)
def test_own_child_is_explained_and_asked_again(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    text: str,
) -> None:
    """One's own child is no option: a kind explanation, the question comes back."""
    for intent in ("answer_question", "faq"):
        events = run(
            qf.ValidateQuestionnaireForm(),
            dispatcher,
            in_form(tracker, "relationship_context", text=text, intent=intent),
            domain,
        )
        assert slot_events(events) == {"relationship_context": None}
    assert responses(dispatcher) == ["utter_context_own_child"] * 2


def test_child_next_to_an_option_is_unclear(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'de vader van mijn kinderen' is not read as a parent."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "relationship_context", text="de vader van mijn kinderen"),
        domain,
    )
    assert slot_events(events) == {"relationship_context": None}
    assert responses(dispatcher) == ["utter_context_not_understood"]


def test_choosing_work_adds_the_work_note(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """Work by button or by text: stored, and one sentence on what that means."""
    validate = qf.ValidateQuestionnaireForm()
    text, entities = button("relationship_context", "work")
    events = run(
        validate,
        dispatcher,
        in_form(tracker, "relationship_context", text=text, entities=entities),
        domain,
    )
    assert slot_events(events) == {"relationship_context": "work"}
    assert responses(dispatcher) == ["utter_context_work_note"]
    events = run(
        validate,
        dispatcher,
        in_form(tracker, "relationship_context", text="op mijn werk"),
        domain,
    )
    assert slot_events(events) == {"relationship_context": "work"}
    assert responses(dispatcher)[1:] == [
        "utter_answer_noted",
        "utter_context_work_note",
    ]
    text, entities = button("relationship_context", "partner")
    run(
        validate,
        dispatcher,
        in_form(tracker, "relationship_context", text=text, entities=entities),
        domain,
    )
    assert responses(dispatcher)[3:] == []


def test_context_options_say_one_parent_and_a_close_friend() -> None:
    """The buttons name one parent and one close friend; the codes stay."""
    question = qc.load_questionnaire().question("relationship_context")
    assert question is not None
    labels = {option.code: option.label for option in question.options}
    assert labels == {
        "partner": "Mijn partner",
        "family": "Een van mijn ouders",
        "work": "Mijn werk",
        "friends": "Een goede vriend of vriendin",
    }


def test_architecture_interrupt_list_is_covered() -> None:
    """Every intent listed in docs/ARCHITECTURE.md as interrupting is in the set."""
    doc = open("docs/ARCHITECTURE.md", encoding="utf-8").read()
    section = doc.split("## Intents that interrupt the questions", 1)[1].split(
        "\n## ", 1
    )[0]
    listed = {
        name
        for name in section.split("`")[1::2]
        if name.isidentifier() and name != FORM and not name.startswith("utter_")
    }
    assert listed
    assert listed <= qf.INTERRUPT_INTENTS


def test_start_intent_inside_the_form_brings_the_question_back(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'ik wil de test doen' while the questions run: say so, ask the same question."""
    events = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(
            tracker, "q03", text="ik wil de test doen", intent="start_questionnaire"
        ),
        domain,
    )
    assert slot_events(events) == {"q03": None}
    assert responses(dispatcher) == ["utter_questionnaire_already_running"]


def test_context_answer_by_text_and_by_button(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """Relationship by free text ('mijn moeder') and by button; unknown text re-asks."""
    validate = qf.ValidateQuestionnaireForm()
    events = run(
        validate,
        dispatcher,
        in_form(tracker, "relationship_context", text="mijn moeder"),
        domain,
    )
    assert slot_events(events) == {"relationship_context": "family"}
    assert dispatcher.messages[-1]["answer_label"] == "Een van mijn ouders"

    text, entities = button("relationship_context", "work")
    events = run(
        validate,
        dispatcher,
        in_form(tracker, "relationship_context", text=text, entities=entities),
        domain,
    )
    assert slot_events(events) == {"relationship_context": "work"}

    text, entities = button("relationship_context", "alien")
    events = run(
        validate,
        dispatcher,
        in_form(tracker, "relationship_context", text=text, entities=entities),
        domain,
    )
    assert slot_events(events) == {"relationship_context": None}
    events = run(
        validate,
        dispatcher,
        in_form(tracker, "relationship_context", text="de buurman"),
        domain,
    )
    assert slot_events(events) == {"relationship_context": None}
    assert responses(dispatcher)[-2:] == [
        "utter_context_not_understood",
        "utter_context_not_understood",
    ]


def test_no_validation_when_coming_back_after_an_interruption(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """After a rule answered (FAQ), the old user text is not read as an answer."""
    events = [
        {"event": "user", "text": "soms"},
        {"event": "action", "name": "action_answer_question"},
        {"event": "bot", "text": "uitleg"},
        {"event": "slot", "name": "requested_slot", "value": "q03"},
        {"event": "action", "name": FORM},
    ]
    result = run(
        qf.ValidateQuestionnaireForm(),
        dispatcher,
        in_form(tracker, "q03", text="soms", intent="faq", events=events),
        domain,
    )
    assert result == []
    assert dispatcher.messages == []


def test_no_validation_at_activation(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """When the form is only being activated nothing is read."""
    trk = tracker(
        slots={"requested_slot": "q03"},
        intent="continue_questionnaire",
        text="verder",
        events=fresh_events("verder"),
    )
    assert run(qf.ValidateQuestionnaireForm(), dispatcher, trk, domain) == []
    assert dispatcher.messages == []


def test_is_fresh_user_turn() -> None:
    """Only a user message followed by routine actions counts as fresh."""
    assert qf.is_fresh_user_turn(fresh_events("x"), FORM)
    assert not qf.is_fresh_user_turn([], FORM)
    assert not qf.is_fresh_user_turn(
        [
            {"event": "user", "text": "x"},
            {"event": "action", "name": "action_skip_question"},
            {"event": "action", "name": FORM},
        ],
        FORM,
    )


# --- moving around ----------------------------------------------------------------


def test_go_back_empties_the_previous_answer(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'terug' at q05: q04 is emptied so the form asks it again."""
    events = run(
        qnav.ActionGoBackQuestion(),
        dispatcher,
        in_form(tracker, "q05", text="terug", intent="go_back", slots=filled(4)),
        domain,
    )
    assert slot_events(events) == {"q04": None}
    assert responses(dispatcher) == ["utter_go_back"]


def test_go_back_from_the_first_question_stays(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """At the very first question there is nothing to go back to."""
    events = run(
        qnav.ActionGoBackQuestion(),
        dispatcher,
        in_form(tracker, "relationship_context", intent="go_back"),
        domain,
    )
    assert events == []
    assert responses(dispatcher) == ["utter_go_back_first_question"]


@pytest.mark.parametrize(
    "action",
    [
        qnav.ActionGoBackQuestion(),
        qnav.ActionSkipQuestion(),
        qnav.ActionStopQuestionnaire(),
    ],
)
def test_steering_outside_the_form_explains(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    action: Action,
) -> None:
    """'terug', 'sla over', 'stop' when no questions run: a hint, no changes."""
    events = run(action, dispatcher, tracker(slots=filled(4)), domain)
    assert events == []
    assert responses(dispatcher) == ["utter_questionnaire_not_running"]


def test_skip_stores_skipped(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'sla over' stores the marker the scoring treats as missing."""
    events = run(
        qnav.ActionSkipQuestion(),
        dispatcher,
        in_form(
            tracker,
            "q05",
            text="sla deze maar over",
            intent="skip_question",
            slots=filled(4),
        ),
        domain,
    )
    assert slot_events(events) == {"q05": "skipped"}
    assert responses(dispatcher) == ["utter_question_skipped"]


def test_confident_skip_without_a_skip_word_is_asked_again(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """Even a confident classifier does not skip text that never says "skip"."""
    trk = in_form(
        tracker,
        "q05",
        text="paars met groene stippen",
        intent="skip_question",
        slots=filled(4),
    )
    events = run(qnav.ActionSkipQuestion(), dispatcher, trk, domain)
    assert events == []
    assert responses(dispatcher) == ["utter_answer_not_understood"]


@pytest.mark.parametrize(
    "text",
    [
        "sla over",
        "volgende vraag",
        "geen idee",
        "k weet het nie",
        "deze wil ik niet beantwoorden",
        "skip",
    ],
)
def test_skip_words_are_recognised(text: str) -> None:
    assert qf.asks_to_skip(text)


@pytest.mark.parametrize(
    "text", ["paars met groene stippen", "ik ben boos", "mijn moeder"]
)
def test_other_text_is_no_skip(text: str) -> None:
    assert not qf.asks_to_skip(text)


def test_unclear_skip_is_asked_again(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """Nonsense that NLU puts on skip_question with low confidence skips nothing."""
    trk = tracker(
        slots={**filled(4), "requested_slot": "q05"},
        latest_message={
            "text": "paars met groene stippen",
            "intent": {"name": "skip_question", "confidence": 0.6},
            "entities": [],
        },
        active_loop=FORM,
    )
    events = run(qnav.ActionSkipQuestion(), dispatcher, trk, domain)
    assert events == []
    assert responses(dispatcher) == ["utter_answer_not_understood"]


def test_stop_pauses_and_keeps_answers(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'stop': marked paused, answers untouched, count told (the rule stops the form)."""
    events = run(
        qnav.ActionStopQuestionnaire(),
        dispatcher,
        in_form(tracker, "q06", intent="stop_questionnaire", slots=filled(5)),
        domain,
    )
    assert slot_events(events) == {"questionnaire_paused": True}
    assert responses(dispatcher) == ["utter_questionnaire_paused"]
    assert dispatcher.messages[0]["answered"] == 5
    assert dispatcher.messages[0]["total"] == 16


@pytest.mark.parametrize(
    ("slots", "response"),
    [
        (filled(5), "utter_questionnaire_resume"),
        ({qid: None for qid in ALL_IDS}, "utter_questionnaire_intro"),
        (filled(16), "utter_questionnaire_all_answered"),
    ],
)
def test_continue_says_where_we_go_on(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    slots: dict[str, Any],
    response: str,
) -> None:
    """'verder' resumes (the form then asks the first open question)."""
    events = run(
        qnav.ActionContinueQuestionnaire(), dispatcher, tracker(slots=slots), domain
    )
    assert slot_events(events) == {"questionnaire_paused": False}
    assert responses(dispatcher) == [response]


def test_restart_clears_every_answer(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'opnieuw beginnen' empties the context and all answers."""
    events = run(
        qnav.ActionRestartQuestionnaire(),
        dispatcher,
        in_form(tracker, "q08", intent="restart_questionnaire", slots=filled(7)),
        domain,
    )
    expected: dict[str, Any] = {qid: None for qid in ALL_IDS}
    expected["questionnaire_paused"] = False
    assert slot_events(events) == expected
    assert responses(dispatcher) == ["utter_questionnaire_restarted"]


@pytest.mark.parametrize(
    ("slots", "expected_responses", "clears"),
    [
        ({qid: None for qid in ALL_IDS}, ["utter_questionnaire_intro"], False),
        (filled(3), ["utter_questionnaire_resume"], False),
        (
            filled(16),
            ["utter_questionnaire_new_round", "utter_questionnaire_intro"],
            True,
        ),
    ],
)
def test_start_opens_resumes_or_begins_a_new_round(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    slots: dict[str, Any],
    expected_responses: list[str],
    clears: bool,
) -> None:
    """Start: intro when new, resume when half done, new round when finished."""
    events = run(
        qnav.ActionStartQuestionnaire(), dispatcher, tracker(slots=slots), domain
    )
    assert responses(dispatcher) == expected_responses
    changes = slot_events(events)
    assert changes["questionnaire_paused"] is False
    assert (changes.get("q01", "kept") is None) == clears
    if "utter_questionnaire_intro" in expected_responses:
        intro = dispatcher.messages[
            expected_responses.index("utter_questionnaire_intro")
        ]
        assert intro["total"] == 16


def test_why_gives_the_current_questions_reason(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """'waarom vraag je dit?' sends the why of the question being asked."""
    events = run(
        qnav.ActionExplainQuestion(),
        dispatcher,
        in_form(tracker, "q04", intent="ask_why_question"),
        domain,
    )
    assert events == []
    expected = qc.load_questionnaire().question("q04")
    assert expected is not None
    assert dispatcher.messages[0]["text"] == expected.why


def test_why_outside_the_form_explains_the_questions(
    dispatcher: CollectingDispatcher, tracker: MakeTracker, domain: dict[str, Any]
) -> None:
    """Outside the questions, 'waarom' gets the general reason."""
    run(qnav.ActionExplainQuestion(), dispatcher, tracker(), domain)
    assert responses(dispatcher) == ["utter_why_questionnaire"]


@pytest.mark.parametrize(
    ("slots", "response"),
    [
        ({}, "utter_stray_answer_not_started"),
        (filled(4), "utter_stray_answer_paused"),
        (filled(16), "utter_stray_answer_finished"),
    ],
)
def test_stray_answer_is_not_stored(
    dispatcher: CollectingDispatcher,
    tracker: MakeTracker,
    domain: dict[str, Any],
    slots: dict[str, Any],
    response: str,
) -> None:
    """An old button pressed while no question runs changes nothing."""
    text, entities = button("q02", "5")
    trk = tracker(slots=slots, intent="answer_question", text=text, entities=entities)
    events = run(qnav.ActionHandleStrayAnswer(), dispatcher, trk, domain)
    assert events == []
    assert responses(dispatcher) == [response]


def test_stored_slots_score_through_the_scoring_api() -> None:
    """Slot values as the form stores them (ints and 'skipped') feed score()."""
    questionnaire = qc.load_questionnaire()
    slots = filled(0)
    for spec in questionnaire.specs:
        if spec.dimension != "context":
            slots[spec.id] = 1 if spec.keyed == "+" else 5
    slots["q02"] = "skipped"
    answers = answers_from_slots(slots, questionnaire.specs)
    profile = score(answers, questionnaire.specs)
    assert answers["q02"] is None
    assert profile.answered == 15
    assert profile.style is not None
