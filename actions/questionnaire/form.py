"""The questionnaire form: validating answers and asking the questions.

``validate_questionnaire_form`` reads the latest user message for the slot being
asked. The ask actions, one per question, are generated from the question ids of
``actions/content/questions.yml`` (:data:`ASK_ACTIONS`), each named
``action_ask_<question id>`` as the domain lists them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer_reading import (
    first_sentence,
    is_question,
    mentions_beside,
    normalise,
)
from actions.content_store import load_content
from actions.questionnaire.content import (
    ANSWER_VALUE_ENTITY,
    QUESTION_ID_ENTITY,
    Question,
    Questionnaire,
    load_questionnaire,
    question_ids,
)
from hechtwijzer_core.contract import QUESTIONNAIRE_FORM as FORM_NAME
from hechtwijzer_core.contract import REQUESTED_SLOT

WORK_CONTEXT = "work"

INTERRUPT_INTENTS: frozenset[str] = frozenset(
    {
        "crisis",
        "crisis_check",
        "faq",
        "chitchat",
        "ask_style",
        "ask_why_question",
        "go_back",
        "skip_question",
        "stop_questionnaire",
        "restart_questionnaire",
        "delete_data",
        "help",
        "request_disclaimer",
        "request_diagnosis",
        "out_of_scope",
        "bot_challenge",
        "english",
        "tell_more",
        "explain_term",
        "input_too_long",
        "empty_message",
        "non_text_message",
        "nlu_fallback",
        "confirm_delete_data",
        "cancel_delete_data",
        "unclear_question",
        "choose_topic",
    }
)
"""Intents that interrupt the form (docs/ARCHITECTURE.md): a rule answers them."""

READABLE_INTERRUPT_INTENTS: frozenset[str] = frozenset(
    {
        "faq",
        "chitchat",
        "ask_style",
        "out_of_scope",
        "bot_challenge",
        "english",
        "tell_more",
        "explain_term",
        "nlu_fallback",
        "unclear_question",
        "skip_question",
        "restart_questionnaire",
    }
)
"""Interrupting intents that a clear typed answer overrules.

Short answers such as "weinig" or "amper" sometimes land on one of these. When
the text is no question and reads clearly as an answer to the question being
asked (and, for ``skip_question``, has no skip word, a doubt word such as
"weet" only counting in the first sentence, so "Vaak. Ik weet niet waarom." is an
answer and "Vaak. Sla deze over." a skip; for
``restart_questionnaire``, no restart word outside the answer, so "elke keer
opnieuw" is an answer and "opnieuw beginnen" restarts), it is taken as the
answer. Never ``crisis`` or ``crisis_check``, nor the other steering intents
(back, stop, ...).
"""

ALREADY_RUNNING_INTENTS: frozenset[str] = frozenset(
    {"start_questionnaire", "continue_questionnaire"}
)
"""Intents that mean "go on": inside the form they just bring the question back."""

# Why an answer was unclear (``Questionnaire.unclear_because``) -> the re-ask.
REASK_RESPONSES = {
    "varies": "utter_answer_varies",
    "agrees": "utter_answer_agrees",
    "declines": "utter_answer_declines",
    "someone_else": "utter_answer_someone_else",
}

# Reasons that keep a message with the question even when the classifier read it
# as something else. Not "someone_else": "mijn partner is vermijdend, wat is dat"
# is a question for the knowledge answers, not an answer about the partner.
OVERRULING = frozenset({"varies", "agrees", "declines"})

_ROUTINE_ACTIONS = frozenset({"action_listen", "action_extract_slots"})


# --- reading the latest turn ------------------------------------------------------


def latest_text(tracker: Tracker) -> str:
    """Text of the latest user message ('' when there is none)."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_intent(tracker: Tracker) -> str:
    """Name of the intent of the latest user message ('' when unknown)."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or "")


def latest_confidence(tracker: Tracker) -> float:
    """Confidence of the latest intent (1.0 for button payloads)."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    try:
        return float(intent.get("confidence", 1.0))
    except (TypeError, ValueError):
        return 0.0


def latest_entity(tracker: Tracker, entity: str) -> Any:
    """Value of the first ``entity`` in the latest user message, or None."""
    for item in (tracker.latest_message or {}).get("entities") or []:
        if item.get("entity") == entity:
            return item.get("value")
    return None


def asks_to_skip(text: str, doubt_later: bool = True) -> bool:
    """True when typed text really says "skip" (a marker word from the content).

    With ``doubt_later`` false, a doubt marker ("weet", "idee") counts only in
    the first sentence: "Vaak. Ik weet niet waarom." answers, "Vaak. Sla over."
    still skips.
    """
    if text.strip().startswith("/"):
        return True
    content = load_content("answer_scale")
    doubts = {normalise(str(m)) for m in content.get("skip_doubt_markers") or []}
    whole = f" {normalise(text)} "
    first = whole if doubt_later else f" {normalise(first_sentence(text))} "
    for marker in content.get("skip_markers") or []:
        word = normalise(str(marker))
        if f" {word} " in (first if word in doubts else whole):
            return True
    return False


def asks_to_restart(text: str, questionnaire: Questionnaire) -> bool:
    """True when typed text has a restart word that is no part of an answer phrase."""
    markers = [
        str(m) for m in load_content("answer_scale").get("restart_markers") or []
    ]
    phrases = [p for values in questionnaire.scale.values() for p in values]
    return mentions_beside(text, markers, phrases)


def is_fresh_user_turn(events: list[dict[str, Any]], form_name: str) -> bool:
    """True when the form runs straight after a user message.

    False when it comes back after an interruption (a rule answered first) or
    is being activated by another action: then there is nothing to read.
    """
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "bot":
            return False
        if kind == "action" and event.get("name") not in {form_name, *_ROUTINE_ACTIONS}:
            return False
    return False


def current_question(tracker: Tracker, questionnaire: Questionnaire) -> Question | None:
    """The question being asked, when the form is running."""
    if tracker.active_loop_name != FORM_NAME:
        return None
    return questionnaire.question(tracker.get_slot(REQUESTED_SLOT))


def note_answer(
    dispatcher: CollectingDispatcher,
    questionnaire: Questionnaire,
    question: Question,
    value: str | int,
) -> None:
    """Say which answer was noted ("Genoteerd: Vaak.")."""
    dispatcher.utter_message(
        response="utter_answer_noted",
        answer_label=questionnaire.label_for(question, value),
    )


def reask(
    dispatcher: CollectingDispatcher,
    question: Question,
    why: str | None = None,
) -> list[EventType]:
    """Say kindly that the text was unclear; the form then asks again.

    ``why`` (from :meth:`Questionnaire.unclear_because`): ``"varies"`` when the
    person said that it differs ("hangt ervan af"), which is no point of the
    scale, so the re-ask asks for what happens most; ``"agrees"`` for a bare yes
    ("klopt"), so the re-ask asks how often; ``"declines"`` for a bare no ("nee"),
    so the re-ask asks whether that is never or seldom; ``"someone_else"`` for an answer about
    another person ("mijn moeder deed dat altijd"), so the re-ask says the question
    is about the person answering.
    """
    if question.options:
        response = "utter_context_not_understood"
    else:
        response = REASK_RESPONSES.get(why or "", "utter_answer_not_understood")
    dispatcher.utter_message(response=response)
    return [SlotSet(question.id, None)]


# --- validation ----------------------------------------------------------------


class QuestionnaireValidationBase(FormValidationAction, ABC):
    """Shared validation of a one-question-at-a-time form built from content.

    Reads only the latest user message, and only for the slot being asked:
    a button press counts when its ``question_id`` is that slot; typed text
    is mapped with the content's phrases. Interrupt intents are left alone
    (the form rejects and a rule answers); anything unclear gets a friendly
    message and the same question again, never a guess.
    """

    @abstractmethod
    def name(self) -> str:
        """Action name: ``validate_<form>``."""

    def questionnaire(self) -> Questionnaire:
        """The content this form asks."""
        return load_questionnaire()

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        """Validate the answer to the requested question, if there is one."""
        questionnaire = self.questionnaire()
        question = questionnaire.question(tracker.get_slot(REQUESTED_SLOT))
        if (
            question is None
            or not tracker.active_loop
            or not is_fresh_user_turn(tracker.events, self.form_name())
        ):
            return []
        intent = latest_intent(tracker)
        if intent in INTERRUPT_INTENTS and not self.answer_overrules(
            tracker, questionnaire, question, intent
        ):
            return []
        return self.read_answer(dispatcher, tracker, questionnaire, question, intent)

    @staticmethod
    def answer_overrules(
        tracker: Tracker, questionnaire: Questionnaire, question: Question, intent: str
    ) -> bool:
        """True when a clear typed answer wins over an interrupting intent."""
        if intent not in READABLE_INTERRUPT_INTENTS:
            return False
        if latest_entity(tracker, QUESTION_ID_ENTITY) is not None:
            return False
        text = latest_text(tracker)
        if text.strip().startswith("/"):
            return False
        if intent == "skip_question" and asks_to_skip(text, doubt_later=False):
            return False
        if intent == "restart_questionnaire" and asks_to_restart(text, questionnaire):
            return False
        if (
            not question.options
            and questionnaire.unclear_because(text, question) in OVERRULING
        ):
            return True  # "hangt ervan af", "klopt", "nee": asked again, saying why
        return questionnaire.reads_as_answer(question, text)

    def read_answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
        question: Question,
        intent: str,
    ) -> list[EventType]:
        """Turn the latest message into a slot value or a friendly re-ask."""
        pressed_id = latest_entity(tracker, QUESTION_ID_ENTITY)
        if pressed_id is not None:
            if str(pressed_id) != question.id:
                dispatcher.utter_message(response="utter_answer_old_button")
                return [SlotSet(question.id, None)]
            value = questionnaire.read_button_value(
                question, latest_entity(tracker, ANSWER_VALUE_ENTITY)
            )
            if value is None:
                return reask(dispatcher, question)
            self.add_context_note(dispatcher, question, value)
            return [SlotSet(question.id, value)]
        if intent in ALREADY_RUNNING_INTENTS:
            dispatcher.utter_message(response="utter_questionnaire_already_running")
            return [SlotSet(question.id, None)]
        text = latest_text(tracker)
        if questionnaire.names_own_child(question, text):
            dispatcher.utter_message(response="utter_context_own_child")
            return [SlotSet(question.id, None)]
        value = (
            None
            if is_question(text, questionnaire.rules)
            else questionnaire.read_free_text(question, text)
        )
        if value is None:
            why = (
                None
                if question.options
                else questionnaire.unclear_because(text, question)
            )
            return reask(dispatcher, question, why)
        note_answer(dispatcher, questionnaire, question, value)
        self.add_context_note(dispatcher, question, value)
        return [SlotSet(question.id, value)]

    @staticmethod
    def add_context_note(
        dispatcher: CollectingDispatcher, question: Question, value: str | int
    ) -> None:
        """After choosing work as the relationship: what the answers then show."""
        if question.options and value == WORK_CONTEXT:
            dispatcher.utter_message(response="utter_context_work_note")


class ValidateQuestionnaireForm(QuestionnaireValidationBase):
    """Validation of ``questionnaire_form``."""

    def name(self) -> str:
        """Action name."""
        return "validate_questionnaire_form"


# --- asking ------------------------------------------------------------------


class AskQuestionBase(Action, ABC):
    """Ask one question: progress line, text and answer buttons."""

    @abstractmethod
    def question_id(self) -> str:
        """The slot/question this action asks."""

    def name(self) -> str:
        """``action_ask_<question id>``."""
        return f"action_ask_{self.question_id()}"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        """Send the question with its buttons."""
        questionnaire = load_questionnaire()
        question = questionnaire.question(self.question_id())
        if question is None:
            raise LookupError(f"no question {self.question_id()} in questions.yml")
        # Progress as data beside the text: the widget's progress bar reads this.
        progress = (
            {"progress": {"number": question.number, "total": questionnaire.total}}
            if question.number is not None
            else {}
        )
        dispatcher.utter_message(
            text=questionnaire.prompt(question),
            buttons=questionnaire.buttons(question),
            **progress,
        )
        return []


def ask_action(question_id: str) -> type[AskQuestionBase]:
    """A new ask action class for one question.

    ``relationship_context`` gives ``ActionAskRelationshipContext``, whose action
    name is ``action_ask_relationship_context``.
    """
    class_name = "ActionAsk" + "".join(
        part.capitalize() for part in question_id.split("_")
    )

    def asked(self: AskQuestionBase) -> str:
        return question_id

    asked.__doc__ = "Slot name."
    namespace = {
        "__module__": __name__,
        "__qualname__": class_name,
        "__doc__": f"Ask {question_id}.",
        "question_id": asked,
    }
    return type(class_name, (AskQuestionBase,), namespace)


ASK_ACTIONS: dict[str, type[AskQuestionBase]] = {
    question_id: ask_action(question_id) for question_id in question_ids()
}
"""Question id -> its ask action, one per question of ``questions.yml``.

Defined when the module is imported, so the action server, which registers every
imported :class:`~rasa_sdk.Action` subclass, finds them.
"""
