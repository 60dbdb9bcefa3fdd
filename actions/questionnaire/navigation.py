"""Moving around in the questions: start, continue, back, skip, stop, restart.

These intents interrupt the form and a rule runs the action that belongs to
them (``data/rules/questionnaire.yml``); the rule then runs the form again or
stops it. Where a person stands in the questions (not started, in progress,
finished) is decided in one place, :func:`progress_of`.

Slot values: ``relationship_context`` holds an option code (``partner``,
``family``, ``work``, ``friends``), each ``qNN`` holds an int 1..5, and a
skipped question holds ``"skipped"`` (:data:`actions.scoring.SKIPPED`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.questionnaire.content import Question, Questionnaire, load_questionnaire
from actions.questionnaire.form import (
    asks_to_skip,
    current_question,
    latest_confidence,
    latest_text,
    reask,
)
from actions.scoring import SKIPPED
from hechtwijzer_core.contract import PAUSED_SLOT
from hechtwijzer_core.contract import QUESTIONNAIRE_FORM as FORM_NAME

SKIP_MIN_CONFIDENCE = 0.85
"""Skipping loses an answer, so a typed "sla over" must be recognised clearly.

Below this intent confidence the question is asked again instead (nonsense
text sometimes lands on ``skip_question`` with a middling confidence).
"""


class Progress(Enum):
    """Where a person stands in the questions."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


def progress_of(tracker: Tracker, questionnaire: Questionnaire) -> Progress:
    """Where a person stands: the one decision every action here uses.

    Not started: no question has a value. Finished: every question has one, the
    context included (a skip counts). In progress: anything between.
    """
    has_value = [tracker.get_slot(qid) is not None for qid in questionnaire.ids]
    if all(has_value):
        return Progress.FINISHED
    if any(has_value):
        return Progress.IN_PROGRESS
    return Progress.NOT_STARTED


def answered_count(tracker: Tracker, questionnaire: Questionnaire) -> int:
    """How many numbered questions have a value (an answer or a skip)."""
    return sum(
        1
        for question in questionnaire.questions
        if question.number is not None and tracker.get_slot(question.id) is not None
    )


def clear_answers(questionnaire: Questionnaire) -> list[EventType]:
    """Events that empty every answer slot, the context included."""
    return [SlotSet(question_id, None) for question_id in questionnaire.ids]


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


def utter_progress(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    questionnaire: Questionnaire,
    *,
    response: str,
) -> None:
    """Send ``response`` with how many of how many questions have a value."""
    dispatcher.utter_message(
        response=response,
        answered=answered_count(tracker, questionnaire),
        total=questionnaire.total,
    )


def utter_intro(dispatcher: CollectingDispatcher, questionnaire: Questionnaire) -> None:
    """Introduce the questions and say how many there are."""
    dispatcher.utter_message(
        response="utter_questionnaire_intro", total=questionnaire.total
    )


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
        progress = progress_of(tracker, questionnaire)
        events: list[EventType] = [SlotSet(PAUSED_SLOT, False)]
        if progress is Progress.FINISHED:
            dispatcher.utter_message(response="utter_questionnaire_new_round")
            utter_intro(dispatcher, questionnaire)
            return events + clear_answers(questionnaire)
        if progress is Progress.IN_PROGRESS:
            utter_progress(
                dispatcher,
                tracker,
                questionnaire,
                response="utter_questionnaire_resume",
            )
            return events
        utter_intro(dispatcher, questionnaire)
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
        progress = progress_of(tracker, questionnaire)
        if progress is Progress.FINISHED:
            dispatcher.utter_message(response="utter_questionnaire_all_answered")
        elif progress is Progress.NOT_STARTED:
            utter_intro(dispatcher, questionnaire)
        else:
            utter_progress(
                dispatcher,
                tracker,
                questionnaire,
                response="utter_questionnaire_resume",
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
        utter_progress(
            dispatcher, tracker, questionnaire, response="utter_questionnaire_paused"
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
        if latest_confidence(tracker) < SKIP_MIN_CONFIDENCE or not asks_to_skip(
            latest_text(tracker)
        ):
            reask(dispatcher, question)
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
        progress = progress_of(tracker, questionnaire)
        if progress is Progress.FINISHED:
            dispatcher.utter_message(response="utter_stray_answer_finished")
        elif progress is Progress.IN_PROGRESS:
            utter_progress(
                dispatcher, tracker, questionnaire, response="utter_stray_answer_paused"
            )
        else:
            dispatcher.utter_message(response="utter_stray_answer_not_started")
        return []
