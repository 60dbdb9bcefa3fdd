"""The reflective questions: form validation, asking, and moving around in them.

``questionnaire_form`` asks ``relationship_context`` and then ``q01``..``q16``
(ids from ``actions/content/questions.yml``), one at a time, each with answer
buttons whose payload carries the question id. Besides answering, a person
can ask why a question is asked, go back, skip, stop, continue and start
over; those intents interrupt the form and are handled by the actions below
(see ``data/rules/questionnaire.yml``).

Slot values: ``relationship_context`` holds an option code (``partner``,
``family``, ``work``, ``friends``), each ``qNN`` holds an int 1..5, and a
skipped question holds ``"skipped"`` (:data:`actions.scoring.SKIPPED`).
:func:`actions.scoring.answers_from_slots` turns the slots into answers.

All Dutch text comes from the content files or from domain responses.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer_reading import (
    ReadingRules,
    is_question,
    mentions,
    normalise,
    parse_answer,
    parse_choice,
)
from actions.content_store import load_content
from actions.scoring import SKIPPED, QuestionSpec, load_specs
from hechtwijzer_core.contract import PAUSED_SLOT, REQUESTED_SLOT
from hechtwijzer_core.contract import QUESTIONNAIRE_FORM as FORM_NAME

ANSWER_INTENT = "answer_question"
QUESTION_ID_ENTITY = "question_id"
ANSWER_VALUE_ENTITY = "answer_value"
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
    }
)
"""Interrupting intents that a clear typed answer overrules.

Short answers such as "weinig" or "amper" sometimes land on one of these. When
the text is no question and reads clearly as an answer to the question being
asked (and, for ``skip_question``, has no skip word), it is taken as the answer.
Never ``crisis`` or ``crisis_check``, nor the steering intents (back, stop, ...).
"""

ALREADY_RUNNING_INTENTS: frozenset[str] = frozenset(
    {"start_questionnaire", "continue_questionnaire"}
)
"""Intents that mean "go on": inside the form they just bring the question back."""

_ROUTINE_ACTIONS = frozenset({"action_listen", "action_extract_slots"})

SKIP_MIN_CONFIDENCE = 0.85
"""Skipping loses an answer, so a typed "sla over" must be recognised clearly.

Below this intent confidence the question is asked again instead (nonsense
text sometimes lands on ``skip_question`` with a middling confidence).
"""


# --- content ------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One answer option of the context question."""

    code: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One question as the form asks it."""

    id: str
    dimension: str
    text: str
    why: str
    number: int | None
    """Position among the scored questions (1-based); None for the context question."""
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    """The questions, the answer scale and how progress is shown."""

    questions: tuple[Question, ...]
    specs: tuple[QuestionSpec, ...]
    progress_format: str
    labels: dict[int, str]
    scale: dict[int, tuple[str, ...]]
    weak_phrases: tuple[str, ...]
    negations: tuple[str, ...] = ()
    rules: ReadingRules = ReadingRules()
    own_child_phrases: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """Slot names in the order the form asks them."""
        return tuple(question.id for question in self.questions)

    @property
    def total(self) -> int:
        """How many numbered (scored) questions there are."""
        return sum(1 for question in self.questions if question.number is not None)

    def question(self, question_id: Any) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    def previous(self, question_id: str) -> Question | None:
        """The question asked before this one, or None for the first."""
        index = self.ids.index(question_id)
        return self.questions[index - 1] if index > 0 else None

    def prompt(self, question: Question) -> str:
        """The message text: progress line (numbered questions) plus the question."""
        if question.number is None:
            return question.text
        progress = self.progress_format.format(number=question.number, total=self.total)
        return f"{progress}\n{question.text}"

    def buttons(self, question: Question) -> list[dict[str, str]]:
        """Answer buttons; each payload names the question it answers."""
        if question.options:
            choices = [(option.label, option.code) for option in question.options]
        else:
            choices = [(label, str(value)) for value, label in self.labels.items()]
        return [
            {"title": title, "payload": answer_payload(question.id, value)}
            for title, value in choices
        ]

    def read_free_text(self, question: Question, text: str) -> str | int | None:
        """Map typed text to an answer for ``question``; None when unclear."""
        if question.options:
            if mentions(text, self.own_child_phrases):
                return None
            return parse_choice(text, self.choice_table(question))
        return parse_answer(
            text, self.scale, self.weak_phrases, self.negations, self.rules
        )

    @staticmethod
    def choice_table(question: Question) -> dict[str, tuple[str, ...]]:
        """Option code -> button title and phrases."""
        return {o.code: (o.label, *o.phrases) for o in question.options}

    def names_own_child(self, question: Question, text: str) -> bool:
        """True when a typed relationship answer names one's own child and no option."""
        if not question.options or not mentions(text, self.own_child_phrases):
            return False
        return parse_choice(text, self.choice_table(question)) is None

    def reads_as_answer(self, question: Question, text: str) -> bool:
        """True when typed text is no question and reads clearly for ``question``."""
        if is_question(text, self.rules):
            return False
        return self.read_free_text(question, text) is not None or self.names_own_child(
            question, text
        )

    def read_button_value(self, question: Question, raw: Any) -> str | int | None:
        """Check a button's ``answer_value`` for ``question``; None when invalid."""
        value = str(raw).strip() if raw is not None else ""
        if question.options:
            codes = {option.code for option in question.options}
            return value if value in codes else None
        if value.isdigit() and int(value) in self.labels:
            return int(value)
        return None

    def label_for(self, question: Question, value: str | int) -> str:
        """The button title that belongs to an answer value."""
        if question.options:
            return next(o.label for o in question.options if o.code == value)
        return self.labels[int(value)]


def answer_payload(question_id: str, value: str) -> str:
    """``/answer_question{"question_id":"q03","answer_value":"4"}``."""
    entities = json.dumps(
        {QUESTION_ID_ENTITY: question_id, ANSWER_VALUE_ENTITY: value},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return f"/{ANSWER_INTENT}{entities}"


def build_questionnaire(
    questions_raw: dict[str, Any], scale_raw: dict[str, Any]
) -> Questionnaire:
    """Build the questionnaire from the parsed content files."""
    entries = list(questions_raw["questions"])
    specs = tuple(load_specs(entries))
    questions: list[Question] = []
    number = 0
    for entry, spec in zip(entries, specs, strict=True):
        options = tuple(
            Option(
                code=str(option["code"]),
                label=str(option["label"]),
                phrases=tuple(str(p) for p in option.get("phrases", [])),
            )
            for option in entry.get("options", [])
        )
        if spec.dimension != "context":
            number += 1
        questions.append(
            Question(
                id=spec.id,
                dimension=spec.dimension,
                text=str(entry["text"]).strip(),
                why=str(entry["why"]).strip(),
                number=None if spec.dimension == "context" else number,
                options=options,
            )
        )
    points = {int(value): point for value, point in scale_raw["scale"].items()}
    return Questionnaire(
        questions=tuple(questions),
        specs=specs,
        progress_format=str(questions_raw["progress_format"]),
        labels={value: str(point["label"]) for value, point in sorted(points.items())},
        scale={
            value: (str(point["label"]), *(str(p) for p in point["phrases"]))
            for value, point in sorted(points.items())
        },
        weak_phrases=tuple(str(p) for p in scale_raw.get("weak_phrases", [])),
        negations=tuple(str(p) for p in scale_raw.get("negations", [])),
        rules=ReadingRules.from_content(scale_raw.get("reading") or {}),
        own_child_phrases=tuple(str(p) for p in scale_raw.get("own_child_phrases", [])),
    )


@lru_cache(maxsize=1)
def load_questionnaire() -> Questionnaire:
    """The questionnaire from ``questions.yml`` and ``answer_scale.yml`` (read once)."""
    return build_questionnaire(load_content("questions"), load_content("answer_scale"))


# --- helpers --------------------------------------------------------------------


def latest_intent(tracker: Tracker) -> str:
    """Name of the intent of the latest user message ('' when unknown)."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or "")


def asks_to_skip(text: str) -> bool:
    """True when typed text really says "skip" (a marker word from the content)."""
    if text.strip().startswith("/"):
        return True
    words = f" {normalise(text)} "
    markers = load_content("answer_scale").get("skip_markers") or []
    return any(f" {normalise(str(marker))} " in words for marker in markers)


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


def answered_count(tracker: Tracker, questionnaire: Questionnaire) -> int:
    """How many numbered questions have a value (an answer or a skip)."""
    return sum(
        1
        for question in questionnaire.questions
        if question.number is not None and tracker.get_slot(question.id) is not None
    )


def first_open_question(
    tracker: Tracker, questionnaire: Questionnaire
) -> Question | None:
    """The first question without a value, in asking order."""
    return next(
        (q for q in questionnaire.questions if tracker.get_slot(q.id) is None), None
    )


def has_started(tracker: Tracker, questionnaire: Questionnaire) -> bool:
    """True when any question (the context included) has a value."""
    return any(tracker.get_slot(qid) is not None for qid in questionnaire.ids)


def clear_answers(questionnaire: Questionnaire) -> list[EventType]:
    """Events that empty every answer slot, the context included."""
    return [SlotSet(question_id, None) for question_id in questionnaire.ids]


def current_question(tracker: Tracker, questionnaire: Questionnaire) -> Question | None:
    """The question being asked, when the form is running."""
    if tracker.active_loop_name != FORM_NAME:
        return None
    return questionnaire.question(tracker.get_slot(REQUESTED_SLOT))


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
        text = str((tracker.latest_message or {}).get("text") or "")
        if text.strip().startswith("/"):
            return False
        if intent == "skip_question" and asks_to_skip(text):
            return False
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
                return self.reask(dispatcher, question)
            self.add_context_note(dispatcher, question, value)
            return [SlotSet(question.id, value)]
        if intent in ALREADY_RUNNING_INTENTS:
            dispatcher.utter_message(response="utter_questionnaire_already_running")
            return [SlotSet(question.id, None)]
        text = str((tracker.latest_message or {}).get("text") or "")
        if questionnaire.names_own_child(question, text):
            dispatcher.utter_message(response="utter_context_own_child")
            return [SlotSet(question.id, None)]
        value = (
            None
            if is_question(text, questionnaire.rules)
            else questionnaire.read_free_text(question, text)
        )
        if value is None:
            return self.reask(dispatcher, question)
        dispatcher.utter_message(
            response="utter_answer_noted",
            answer_label=questionnaire.label_for(question, value),
        )
        self.add_context_note(dispatcher, question, value)
        return [SlotSet(question.id, value)]

    @staticmethod
    def add_context_note(
        dispatcher: CollectingDispatcher, question: Question, value: str | int
    ) -> None:
        """After choosing work as the relationship: what the answers then show."""
        if question.options and value == WORK_CONTEXT:
            dispatcher.utter_message(response="utter_context_work_note")

    @staticmethod
    def reask(dispatcher: CollectingDispatcher, question: Question) -> list[EventType]:
        """Say kindly that the text was unclear; the form then asks again."""
        response = (
            "utter_context_not_understood"
            if question.options
            else "utter_answer_not_understood"
        )
        dispatcher.utter_message(response=response)
        return [SlotSet(question.id, None)]


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


class ActionAskRelationshipContext(AskQuestionBase):
    """Ask which relationship the person has in mind."""

    def question_id(self) -> str:
        """Slot name."""
        return "relationship_context"


class ActionAskQ01(AskQuestionBase):
    """Ask q01."""

    def question_id(self) -> str:
        """Slot name."""
        return "q01"


class ActionAskQ02(AskQuestionBase):
    """Ask q02."""

    def question_id(self) -> str:
        """Slot name."""
        return "q02"


class ActionAskQ03(AskQuestionBase):
    """Ask q03."""

    def question_id(self) -> str:
        """Slot name."""
        return "q03"


class ActionAskQ04(AskQuestionBase):
    """Ask q04."""

    def question_id(self) -> str:
        """Slot name."""
        return "q04"


class ActionAskQ05(AskQuestionBase):
    """Ask q05."""

    def question_id(self) -> str:
        """Slot name."""
        return "q05"


class ActionAskQ06(AskQuestionBase):
    """Ask q06."""

    def question_id(self) -> str:
        """Slot name."""
        return "q06"


class ActionAskQ07(AskQuestionBase):
    """Ask q07."""

    def question_id(self) -> str:
        """Slot name."""
        return "q07"


class ActionAskQ08(AskQuestionBase):
    """Ask q08."""

    def question_id(self) -> str:
        """Slot name."""
        return "q08"


class ActionAskQ09(AskQuestionBase):
    """Ask q09."""

    def question_id(self) -> str:
        """Slot name."""
        return "q09"


class ActionAskQ10(AskQuestionBase):
    """Ask q10."""

    def question_id(self) -> str:
        """Slot name."""
        return "q10"


class ActionAskQ11(AskQuestionBase):
    """Ask q11."""

    def question_id(self) -> str:
        """Slot name."""
        return "q11"


class ActionAskQ12(AskQuestionBase):
    """Ask q12."""

    def question_id(self) -> str:
        """Slot name."""
        return "q12"


class ActionAskQ13(AskQuestionBase):
    """Ask q13."""

    def question_id(self) -> str:
        """Slot name."""
        return "q13"


class ActionAskQ14(AskQuestionBase):
    """Ask q14."""

    def question_id(self) -> str:
        """Slot name."""
        return "q14"


class ActionAskQ15(AskQuestionBase):
    """Ask q15."""

    def question_id(self) -> str:
        """Slot name."""
        return "q15"


class ActionAskQ16(AskQuestionBase):
    """Ask q16."""

    def question_id(self) -> str:
        """Slot name."""
        return "q16"


# --- moving around in the questions ----------------------------------------------


def asked_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, questionnaire: Questionnaire
) -> Question | None:
    """The question being asked, or None after telling that no questions run."""
    question = current_question(tracker, questionnaire)
    if question is None:
        dispatcher.utter_message(response="utter_questionnaire_not_running")
    return question


class QuestionnaireActionBase(Action, ABC):
    """Shared setup for the actions that steer the questionnaire."""

    @abstractmethod
    def name(self) -> str:
        """Action name."""

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        """Run :meth:`steer` with the loaded questionnaire."""
        return self.steer(dispatcher, tracker, load_questionnaire())

    @abstractmethod
    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Do the work; return the events."""


class ActionStartQuestionnaire(QuestionnaireActionBase):
    """Introduce the questions; resume a half-done run; start fresh after a finished one.

    The rule always runs ``questionnaire_form`` next.
    """

    def name(self) -> str:
        """Action name."""
        return "action_start_questionnaire"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Pick the right opening and prepare the slots."""
        open_question = first_open_question(tracker, questionnaire)
        answered = answered_count(tracker, questionnaire)
        events: list[EventType] = [SlotSet(PAUSED_SLOT, False)]
        if open_question is None:
            dispatcher.utter_message(response="utter_questionnaire_new_round")
            dispatcher.utter_message(
                response="utter_questionnaire_intro", total=questionnaire.total
            )
            return events + clear_answers(questionnaire)
        if has_started(tracker, questionnaire):
            dispatcher.utter_message(
                response="utter_questionnaire_resume",
                answered=answered,
                total=questionnaire.total,
            )
            return events
        dispatcher.utter_message(
            response="utter_questionnaire_intro", total=questionnaire.total
        )
        return events


class ActionContinueQuestionnaire(QuestionnaireActionBase):
    """Handle "verder": pick up at the first open question (the rule runs the form next)."""

    def name(self) -> str:
        """Action name."""
        return "action_continue_questionnaire"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Say where we go on; an untouched questionnaire simply starts."""
        open_question = first_open_question(tracker, questionnaire)
        answered = answered_count(tracker, questionnaire)
        if open_question is None:
            dispatcher.utter_message(response="utter_questionnaire_all_answered")
        elif not has_started(tracker, questionnaire):
            dispatcher.utter_message(
                response="utter_questionnaire_intro", total=questionnaire.total
            )
        else:
            dispatcher.utter_message(
                response="utter_questionnaire_resume",
                answered=answered,
                total=questionnaire.total,
            )
        return [SlotSet(PAUSED_SLOT, False)]


class ActionRestartQuestionnaire(QuestionnaireActionBase):
    """Handle "opnieuw beginnen": clear every answer; the rule runs the form next."""

    def name(self) -> str:
        """Action name."""
        return "action_restart_questionnaire"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Empty the answer slots and say so."""
        dispatcher.utter_message(response="utter_questionnaire_restarted")
        return [SlotSet(PAUSED_SLOT, False), *clear_answers(questionnaire)]


class ActionStopQuestionnaire(QuestionnaireActionBase):
    """Handle "stop" or "pauze": keep the answers and say how to go on.

    The rule runs ``action_deactivate_loop`` next, which stops the form.
    """

    def name(self) -> str:
        """Action name."""
        return "action_stop_questionnaire"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Mark the questions paused; outside the form explain nothing is running."""
        if tracker.active_loop_name != FORM_NAME:
            dispatcher.utter_message(response="utter_questionnaire_not_running")
            return []
        dispatcher.utter_message(
            response="utter_questionnaire_paused",
            answered=answered_count(tracker, questionnaire),
            total=questionnaire.total,
        )
        return [SlotSet(PAUSED_SLOT, True)]


class ActionExplainQuestion(QuestionnaireActionBase):
    """Handle "waarom vraag je dit?": the why of the current question (the form asks it again)."""

    def name(self) -> str:
        """Action name."""
        return "action_explain_question"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Send the why text; outside the form, why there are questions at all."""
        question = current_question(tracker, questionnaire)
        if question is None:
            dispatcher.utter_message(response="utter_why_questionnaire")
            return []
        dispatcher.utter_message(text=question.why)
        return []


class ActionGoBackQuestion(QuestionnaireActionBase):
    """Handle "terug": empty the previous answer so the form asks that question again."""

    def name(self) -> str:
        """Action name."""
        return "action_go_back_question"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Clear the answer before the current question."""
        question = asked_question(dispatcher, tracker, questionnaire)
        if question is None:
            return []
        previous = questionnaire.previous(question.id)
        if previous is None:
            dispatcher.utter_message(response="utter_go_back_first_question")
            return []
        dispatcher.utter_message(response="utter_go_back")
        return [SlotSet(previous.id, None)]


class ActionSkipQuestion(QuestionnaireActionBase):
    """Handle "sla over": store the current question as skipped (the scoring ignores it)."""

    def name(self) -> str:
        """Action name."""
        return "action_skip_question"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Mark the current question as skipped."""
        question = asked_question(dispatcher, tracker, questionnaire)
        if question is None:
            return []
        text = str((tracker.latest_message or {}).get("text") or "")
        if latest_confidence(tracker) < SKIP_MIN_CONFIDENCE or not asks_to_skip(text):
            QuestionnaireValidationBase.reask(dispatcher, question)
            return []
        dispatcher.utter_message(response="utter_question_skipped")
        return [SlotSet(question.id, SKIPPED)]


class ActionHandleStrayAnswer(QuestionnaireActionBase):
    """An answer (old button or typed) while no question is being asked."""

    def name(self) -> str:
        """Action name."""
        return "action_handle_stray_answer"

    def steer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        questionnaire: Questionnaire,
    ) -> list[EventType]:
        """Explain that nothing was stored and how to go on."""
        open_question = first_open_question(tracker, questionnaire)
        answered = answered_count(tracker, questionnaire)
        if open_question is None:
            dispatcher.utter_message(response="utter_stray_answer_finished")
        elif has_started(tracker, questionnaire):
            dispatcher.utter_message(
                response="utter_stray_answer_paused",
                answered=answered,
                total=questionnaire.total,
            )
        else:
            dispatcher.utter_message(response="utter_stray_answer_not_started")
        return []
