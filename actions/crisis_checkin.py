"""The check-in after a passive or unclear crisis signal ("ik kan niet meer").

Dutch suicide-prevention practice advises asking directly; asking does not put the
thought in someone's head. The flow (rules in ``data/rules/safety.yml``):

1. ``action_prepare_crisis_checkin`` remembers whether the questions were running
   (their answers stay; a clear answer to the open question in the very message
   that brought the check-in is kept too when only one reader asked for the
   check-in: "ik blijf altijd rustig" is kept as Bijna altijd and still checked in
   on). When only the detector's learned model raised the signal and the message is
   a clear question about the article ("ik ben zelf nie veilig gehecht, gaan mijn
   kinders da overnemen?"), the question is answered first. Then it starts
   ``crisis_checkin_form``, which asks ``utter_ask_crisis_checkin_answer`` (buttons
   ja / soms / nee, or typed text): the check-in comes in the same turn either way.
2. ``validate_crisis_checkin_form`` reads the answer: yes, sometimes, no, or unclear
   (asked once more, then taken as unclear). A clear crisis signal in the answer
   counts as yes, a passive one as sometimes.
3. ``action_handle_crisis_checkin``: yes, sometimes or still unclear -> the full
   crisis reply (in doubt, the help lines; the questions stay paused, and an answer
   kept in step 1 is dropped, so its question comes back); no -> a short
   acknowledgement and the help lines offered in one line, the kept answer named,
   then back to the questions. Asking to stop or to delete during the check-in ends it as
   unclear at once; a request to delete is then asked about after the help lines.

The words that count as yes / sometimes / no live in
``hechtwijzer_core/content/helplines.yml``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import knowledge
from actions.ask_back import CHOICE_PROPERTY
from actions.questionnaire.content import load_questionnaire
from actions.questionnaire.form import latest_intent, latest_text, note_answer
from hechtwijzer_core.contract import (
    CHECKIN_FORM,
    CHECKIN_RETURN_SLOT,
    CRISIS_DETECTED_SLOT,
    CRISIS_RULE_KEY,
    PAUSED_SLOT,
    QUESTIONNAIRE_FORM,
    REQUESTED_SLOT,
    STYLES,
)
from hechtwijzer_core.helplines import (
    crisis_categories,
    crisis_reply,
    helpline_content,
    helpline_offer,
)
from hechtwijzer_core.text import unaccented

logger = logging.getLogger(__name__)

ANSWER_SLOT = "crisis_checkin_answer"
ATTEMPTS_SLOT = "crisis_checkin_attempts"
YES = "yes"
SOMETIMES = "sometimes"
NO = "no"
UNCLEAR = "unclear"
MAX_ATTEMPTS = 2
# Intents that mean "not now" rather than an answer: the check-in ends at once.
LEAVE_INTENTS = frozenset(
    {
        "stop_questionnaire",
        "delete_data",
        "confirm_delete_data",
        "cancel_delete_data",
        "restart_questionnaire",
        "goodbye",
    }
)

# Asking to delete during the check-in: after the help lines, the delete question
# (a fresh question: nothing is deleted straight after the help lines).
DELETE_INTENT = "delete_data"
DELETE_ACTION = "action_delete_data"

_WORDS = re.compile(r"[a-z0-9]+")


def _words(text: str) -> str:
    """Folded text as space-separated words, padded with spaces."""
    return " " + " ".join(_WORDS.findall(unaccented(text))) + " "


def _mentions(words: str, phrases: List[str]) -> bool:
    return any(f" {' '.join(_WORDS.findall(p.lower()))} " in words for p in phrases)


def read_checkin_answer(text: str, intent: Optional[str] = None) -> str:
    """``yes``, ``sometimes``, ``no`` or ``unclear`` for a typed or pressed answer.

    Mixed answers ("nee, soms wel") count as sometimes: in doubt, the help lines.
    ``intent`` is the NLU intent of the answer (``crisis`` / ``crisis_check`` when
    the answer itself carries a signal).
    """
    if intent == "crisis":
        return YES
    if intent == "crisis_check":
        return SOMETIMES
    if text and not text.startswith("/"):
        from hechtwijzer_core.crisis import detect

        # The NLU pipeline has already screened this text fully (its intent above);
        # the patterns here cover answers handed in without NLU.
        level = detect(text, use_model=False).level
        if level == "crisis":
            return YES
        if level == "check":
            return SOMETIMES
    answers = helpline_content()["checkin"]["answers"]
    words = _words(text or "")
    said_yes = _mentions(words, answers["yes"])
    said_sometimes = _mentions(words, answers["sometimes"])
    said_no = _mentions(words, answers["no"])
    if said_sometimes or (said_yes and said_no):
        return SOMETIMES
    if said_yes:
        return YES
    if said_no:
        return NO
    return UNCLEAR


class ActionPrepareCrisisCheckin(Action):
    """Remember where the person was; the rule starts the check-in form next."""

    def name(self) -> str:
        """Action name."""
        return "action_prepare_crisis_checkin"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Pause the questions if they run (answers stay) and reset the check-in.

        A clear question about the article that only the learned model took for
        a signal is answered first (the check-in follows in the same turn).
        """
        events: List[EventType] = [
            SlotSet(ANSWER_SLOT, None),
            SlotSet(ATTEMPTS_SLOT, 0),
        ]
        kept: List[EventType] = []
        if tracker.active_loop_name == QUESTIONNAIRE_FORM:
            kept = _kept_answer(tracker)
            events += [
                SlotSet(CHECKIN_RETURN_SLOT, QUESTIONNAIRE_FORM),
                SlotSet(PAUSED_SLOT, True),
                *kept,
            ]
        elif tracker.active_loop_name != CHECKIN_FORM:
            events.append(SlotSet(CHECKIN_RETURN_SLOT, None))
        if not kept:
            events += _answer_beside(dispatcher, tracker, domain)
        return events


def _answer_beside(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
) -> List[EventType]:
    """The knowledge answer before the check-in, when there is one to give.

    Never in the way of the check-in: a failure here is logged, and the check-in
    and the events that pause the questions go out as they would without it.
    """
    try:
        label = answer_beside_checkin(tracker)
        if label is None:
            return []
        sent = CollectingDispatcher()
        events = _answer(sent, tracker, label, domain)
    except Exception:  # the check-in must come whatever goes wrong here
        logger.exception("The answer beside the check-in could not be made.")
        return []
    dispatcher.messages.extend(sent.messages)
    dispatcher.utter_message(response="utter_crisis_checkin_after_answer")
    return events


def _typed_check_in(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The guard's record when typed text (no ``/`` payload) brought this check-in."""
    text = latest_text(tracker).strip()
    if latest_intent(tracker) != "crisis_check" or not text or text.startswith("/"):
        return None
    return dict((tracker.latest_message or {}).get(CRISIS_RULE_KEY) or {})


def _only_the_model(tracker: Tracker) -> bool:
    """True when only the detector's learned model asked for this check-in.

    Not the intent classifier (its crisis reading stays below the guard's check
    confidence), not the patterns (the guard's record names no category; the guard
    read them with the pipeline's lemmas), and no clear signal anywhere: the
    guard's record says ``check`` from the detector's model, read to the end.
    """
    rule = _typed_check_in(tracker)
    return (
        rule is not None
        and rule.get("level") == "check"
        and rule.get("detector") == "check"
        and rule.get("model") == "check"
        and rule.get("incomplete") is False
        and not rule.get("categories")
        and rule.get("classifier", "none") == "none"
        and rule.get("classifier_intent") not in ("crisis", "crisis_check")
    )


def answer_beside_checkin(tracker: Tracker) -> Optional[str]:
    """The knowledge answer to give before the check-in, or None.

    Only when the learned model alone raised the signal (``_only_the_model``) and
    the understanding was sure which answer the message asks for (the topic
    resolver decided ``answer``): a story around a question ("ik ben zelf nie
    veilig gehecht, gaan mijn kinders da overnemen?") then gets its answer and the
    check-in, instead of the check-in alone.
    """
    if not _only_the_model(tracker):
        return None
    choice = (tracker.latest_message or {}).get(CHOICE_PROPERTY) or {}
    label = choice.get("decision") == "answer" and choice.get("label")
    if not isinstance(label, str):
        return None
    kind, _, key = label.partition("/")
    known = {
        "faq": knowledge.topics(),
        "term": knowledge.terms(),
        "style": STYLES,
    }.get(kind, ())
    return label if key in known else None


def _answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    label: str,
    domain: Dict[str, Any],
) -> List[EventType]:
    """Send the knowledge answer ``label`` (``faq/…``, ``term/…``, ``style/…``).

    Without buttons, and for a concept without the offer to tell more: the only
    question with answers to press in this turn is the check-in.
    """
    kind, _, key = label.partition("/")
    if kind == "faq":
        name = f"utter_{knowledge.FAQ_INTENT}/{key}"
        variants = (domain.get("responses") or {}).get(name) or []
        plain = next(
            (
                str(v["text"]).strip()
                for v in variants
                if v.get("text") and not v.get("channel")
            ),
            None,
        )
        return list(knowledge.send_topic(dispatcher, tracker, key, text=plain))
    if kind == "term":
        return list(knowledge.send_terms(dispatcher, [key], offer=False))
    return list(knowledge.send_style_code(dispatcher, tracker, key))


def _kept_answer(tracker: Tracker) -> List[EventType]:
    """The open question's answer, when the message that brought the check-in gives one.

    Kept without a word: the check-in comes first. Only typed text that the
    questionnaire reads as a clear answer, in which the patterns find no signal and
    where only one of the two readers (the detector's learned model, the intent
    classifier) asked for the check-in; when both did ("nooit, ik zie het nergens
    meer zitten"), or the classifier said crisis, nothing is kept.
    """
    from hechtwijzer_core.crisis import detect

    questionnaire = load_questionnaire()
    question = questionnaire.question(tracker.get_slot(REQUESTED_SLOT))
    text = latest_text(tracker)
    rule = _typed_check_in(tracker)
    if (
        question is None
        or question.options
        or tracker.get_slot(question.id) is not None
        or rule is None
        or rule.get("classifier_intent") == "crisis"
        or (
            rule.get("detector", "none") != "none"
            and rule.get("classifier", "none") != "none"
        )
        or detect(text, use_model=False).level != "none"
    ):
        return []
    value = questionnaire.read_free_text(question, text)
    return [] if value is None else [SlotSet(question.id, value)]


def kept_before_checkin(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The answer the latest check-in kept (its slot event), while it is unanswered.

    None when ``action_prepare_crisis_checkin`` kept nothing, or when
    ``action_handle_crisis_checkin`` has run since.
    """
    questionnaire = load_questionnaire()
    kept: Optional[Dict[str, Any]] = None
    after_prepare = False
    for event in tracker.events or []:
        if event.get("event") == "action":
            name = event.get("name")
            after_prepare = name == "action_prepare_crisis_checkin"
            if after_prepare or name == "action_handle_crisis_checkin":
                kept = None
        elif (
            after_prepare
            and event.get("event") == "slot"
            and questionnaire.question(event.get("name")) is not None
            and event.get("value") is not None
        ):
            kept = event
    return kept


class ValidateCrisisCheckinForm(FormValidationAction):
    """Read the answer to the check-in question."""

    def name(self) -> str:
        """Action name."""
        return "validate_crisis_checkin_form"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[EventType]:
        """Only a fresh user message straight after the question is read."""
        if tracker.get_slot(REQUESTED_SLOT) != ANSWER_SLOT:
            return []
        if not _answers_the_question(tracker):
            return []
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        intent = str((message.get("intent") or {}).get("name") or "")
        answer = read_checkin_answer(text, intent)
        if answer != UNCLEAR:
            return [SlotSet(ANSWER_SLOT, answer)]
        if intent in LEAVE_INTENTS:
            return [SlotSet(ANSWER_SLOT, UNCLEAR)]
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        if attempts >= MAX_ATTEMPTS:
            return [SlotSet(ANSWER_SLOT, UNCLEAR), SlotSet(ATTEMPTS_SLOT, attempts)]
        dispatcher.utter_message(response="utter_crisis_checkin_not_understood")
        return [SlotSet(ANSWER_SLOT, None), SlotSet(ATTEMPTS_SLOT, attempts)]


def _answers_the_question(tracker: Tracker) -> bool:
    """True when the latest user message came after the check-in question."""
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "bot":
            return False
    return False


class ActionHandleCrisisCheckin(Action):
    """Answer the check-in: help lines for yes/sometimes, back to where we were for no."""

    def name(self) -> str:
        """Action name."""
        return "action_handle_crisis_checkin"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send the reply that fits the answer; resume the questions after a no."""
        answer = tracker.get_slot(ANSWER_SLOT) or UNCLEAR
        # A request to delete is not lost: action_delete_data asks about it next.
        then_delete = (
            [FollowupAction(DELETE_ACTION)]
            if latest_intent(tracker) == DELETE_INTENT
            else []
        )
        from_questionnaire = tracker.get_slot(CHECKIN_RETURN_SLOT) == QUESTIONNAIRE_FORM
        events: List[EventType] = [
            SlotSet(ANSWER_SLOT, None),
            SlotSet(ATTEMPTS_SLOT, 0),
            SlotSet(CHECKIN_RETURN_SLOT, None),
        ]
        kept = kept_before_checkin(tracker) if from_questionnaire else None
        if answer != NO:
            if kept is not None:
                # In doubt the kept answer goes: the question comes back on resuming.
                events.append(SlotSet(str(kept["name"]), None))
            latest = str((tracker.latest_message or {}).get("text") or "")
            categories = [
                *crisis_categories(latest),
                *crisis_categories(_first_signal(tracker)),
            ] or ["passive"]
            dispatcher.utter_message(
                text=crisis_reply(categories, paused=from_questionnaire)
            )
            return events + [SlotSet(CRISIS_DETECTED_SLOT, True), *then_delete]
        dispatcher.utter_message(response="utter_crisis_checkin_no")
        dispatcher.utter_message(text=helpline_offer())
        if then_delete:
            # "nee, verwijder mijn gegevens": the questions (if they ran) stay
            # paused until the person goes on.
            return events + then_delete
        if from_questionnaire:
            if kept is not None:
                _note_kept(dispatcher, kept)
            dispatcher.utter_message(response="utter_crisis_checkin_back_to_questions")
            # The questions run again; the form asks the open question next.
            return events + [
                SlotSet(PAUSED_SLOT, False),
                ActiveLoop(QUESTIONNAIRE_FORM),
            ]
        return events


def _note_kept(dispatcher: CollectingDispatcher, kept: Dict[str, Any]) -> None:
    """Say which answer to the open question was noted before the check-in."""
    questionnaire = load_questionnaire()
    question = questionnaire.question(kept["name"])
    if question is not None:
        note_answer(dispatcher, questionnaire, question, kept["value"])


def _first_signal(tracker: Tracker) -> str:
    """The text of the message that led to the check-in (for the help-line order)."""
    last_text = ""
    signal = ""
    for event in tracker.events or []:
        if event.get("event") == "user":
            last_text = str(event.get("text") or "")
        elif (
            event.get("event") == "action"
            and event.get("name") == "action_prepare_crisis_checkin"
        ):
            signal = last_text
    return "" if signal.startswith("/") else signal
