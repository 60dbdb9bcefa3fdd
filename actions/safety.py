"""Safety actions: the crisis reply (with the helplines) and deleting a conversation.

The reply itself is composed by ``hechtwijzer_core.helplines`` (the channels send it
too); all Dutch text comes from ``hechtwijzer_core/content/helplines.yml`` and the
domain responses in ``domain/safety.yml``.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis_checkin import kept_before_checkin
from hechtwijzer_core.contract import (
    AFFIRM_INTENT,
    CHECKIN_FORM,
    CHECKIN_RETURN_SLOT,
    CONFIRM_DELETE_INTENT,
    CONFIRM_DELETE_PAYLOAD,
    CRISIS_DETECTED_SLOT,
    DELETE_MARKER,
    PAUSED_SLOT,
    QUESTIONNAIRE_FORM,
)
from hechtwijzer_core.helplines import crisis_categories, crisis_reply, non_text_offer


def paused_questionnaire(tracker: Tracker) -> bool:
    """True when the questions are running, or were running before a check-in."""
    if tracker.active_loop_name == QUESTIONNAIRE_FORM:
        return True
    return (
        tracker.active_loop_name == CHECKIN_FORM
        and tracker.get_slot(CHECKIN_RETURN_SLOT) == QUESTIONNAIRE_FORM
    )


def delete_question_pending(tracker: Tracker) -> bool:
    """True when the bot's last message was the delete question (with its buttons)."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            return any(b.get("payload") == CONFIRM_DELETE_PAYLOAD for b in buttons)
    return False


class ActionRespondCrisis(Action):
    """Answer a crisis calmly with the helplines; pause the questions if they run."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_respond_crisis"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send the reply; during the questions mark them paused (answers stay)."""
        text = (tracker.latest_message or {}).get("text") or ""
        in_questionnaire = paused_questionnaire(tracker)
        dispatcher.utter_message(
            text=crisis_reply(crisis_categories(text), paused=in_questionnaire)
        )
        events: List[EventType] = [
            SlotSet(CRISIS_DETECTED_SLOT, True),
            SlotSet(CHECKIN_RETURN_SLOT, None),
        ]
        if in_questionnaire:
            # The rule runs action_deactivate_loop next; the answers stay.
            events.append(SlotSet(PAUSED_SLOT, True))
        kept = kept_before_checkin(tracker)
        if kept is not None:
            # A clear signal while a check-in waits: the answer kept from the message
            # that brought the check-in goes, so its question comes back later.
            events.append(SlotSet(str(kept["name"]), None))
        return events


class ActionOfferHelplines(Action):
    """One line with the help lines, after a message the bot could not read."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_offer_helplines"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send the line (numbers from helplines.yml); nothing is stored."""
        dispatcher.utter_message(text=non_text_offer())
        return []


class ActionDeleteData(Action):
    """Ask for confirmation; once confirmed, have the channel delete the conversation."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_delete_data"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """First ask (buttons); on a yes (button or typed) send only the marker.

        The channel deletes the conversation after this turn, under the
        conversation's lock, and only then says whether it worked
        (``bot/channels/guard.py``): "gewist" is never said before the delete.
        Nothing is reset here: if the delete fails, the conversation stays whole.
        """
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        confirmed = intent == CONFIRM_DELETE_INTENT or (
            intent == AFFIRM_INTENT and delete_question_pending(tracker)
        )
        if not confirmed:
            dispatcher.utter_message(response="utter_ask_delete_data")
            return []
        dispatcher.utter_message(json_message=dict(DELETE_MARKER))
        # During the questions the rule runs action_deactivate_loop next.
        return []
