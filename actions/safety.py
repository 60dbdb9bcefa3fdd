"""Safety actions: the crisis reply (with the helplines) and deleting a conversation.

All Dutch text comes from ``actions/content/helplines.yml`` and the domain responses
in ``domain/safety.yml``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content_store import load_content

QUESTIONNAIRE_FORM = "questionnaire_form"
CHECKIN_FORM = "crisis_checkin_form"
CHECKIN_RETURN_SLOT = "crisis_checkin_return"
DELETE_MARKER = {"hechtwijzer": "delete_conversation"}
CONFIRM_DELETE_INTENT = "confirm_delete_data"
CONFIRM_DELETE_PAYLOAD = "/confirm_delete_data"
AFFIRM_INTENT = "affirm"
GENERAL = "general"


def helpline_content() -> Mapping[str, Any]:
    """The parsed helplines.yml (loaded lazily, cached by the content store)."""
    content: Mapping[str, Any] = load_content("helplines")
    return content


def crisis_categories(text: str) -> List[str]:
    """Crisis categories the rules find in ``text`` (empty for payloads).

    Only the patterns are read here: the categories choose which help comes first.
    """
    if not text or text.startswith("/"):
        return []
    from hechtwijzer_core.crisis import detect

    return list(detect(text, use_model=False).categories)


def helpline_offer() -> str:
    """The one line of help offered after a check-in answered with "nee"."""
    return str(helpline_content()["checkin"]["offer"])


def non_text_offer() -> str:
    """The one line of help that comes with the reply to a voice note or photo."""
    return str(helpline_content()["checkin"]["non_text_offer"])


def paused_questionnaire(tracker: Tracker) -> bool:
    """True when the questions are running, or were running before a check-in."""
    if tracker.active_loop_name == QUESTIONNAIRE_FORM:
        return True
    return (
        tracker.active_loop_name == CHECKIN_FORM
        and tracker.get_slot(CHECKIN_RETURN_SLOT) == QUESTIONNAIRE_FORM
    )


def crisis_reply(categories: Sequence[str] = (), paused: bool = False) -> str:
    """Build the crisis reply: opening, every helpline (most relevant first), closing."""
    content = helpline_content()
    reply = content["reply"]
    known = [c for c in categories if c in content["order"]]
    category = known[0] if known else GENERAL
    lines = [reply["opening"][category], "", reply["helplines_intro"]]
    for key in content["order"][category]:
        helpline = content["helplines"][key]
        lines.append(reply["line"].format(name=helpline["name"], how=helpline["how"]))
    lines += ["", reply["closing"]]
    if paused:
        lines += ["", reply["paused"]]
    return "\n".join(lines)


def offline_crisis_reply(text: str, intent: Optional[str] = None) -> Optional[str]:
    """Crisis reply for a turn the action server could not answer, else None.

    Used by the channel guard when a turn stayed silent: a person in crisis must get
    the helplines even when the action server is down. ``text`` is what was handed
    to Rasa (``/crisis`` for long crisis messages), ``intent`` the predicted intent.
    """
    if text.strip() in ("/crisis", "/crisis_check") or intent in (
        "crisis",
        "crisis_check",
    ):
        # Without the action server there is no check-in: the help lines at once.
        return crisis_reply(crisis_categories(text))
    categories = crisis_categories(text)
    return crisis_reply(categories) if categories else None


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
            SlotSet("crisis_detected", True),
            SlotSet(CHECKIN_RETURN_SLOT, None),
        ]
        if in_questionnaire:
            # The rule runs action_deactivate_loop next; the answers stay.
            events.append(SlotSet("questionnaire_paused", True))
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
