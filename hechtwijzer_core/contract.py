"""Names and markers both servers rely on: one spelling for the channels and actions.

Every slot, intent, form and response here is declared in ``domain/*.yml`` (or is
one of Rasa's own, listed in ``RASA_SLOTS``); ``tests/core/test_contract.py``
checks that, and that the web widget reads the same delete marker.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

# Forms.
QUESTIONNAIRE_FORM = "questionnaire_form"
CHECKIN_FORM = "crisis_checkin_form"
FORMS = (QUESTIONNAIRE_FORM, CHECKIN_FORM)

# Slots.
REQUESTED_SLOT = "requested_slot"  # Rasa's own: the slot a form asks for next
PAUSED_SLOT = "questionnaire_paused"
CRISIS_DETECTED_SLOT = "crisis_detected"
CHECKIN_RETURN_SLOT = "crisis_checkin_return"
CONTEXT_SLOT = "relationship_context"
PROFILES_SLOT = "profiles"
RASA_SLOTS = (REQUESTED_SLOT,)
SLOTS = (
    REQUESTED_SLOT,
    PAUSED_SLOT,
    CRISIS_DETECTED_SLOT,
    CHECKIN_RETURN_SLOT,
    CONTEXT_SLOT,
    PROFILES_SLOT,
)

# Intents.
CRISIS_INTENT = "crisis"
CRISIS_CHECK_INTENT = "crisis_check"
CONFIRM_DELETE_INTENT = "confirm_delete_data"
AFFIRM_INTENT = "affirm"
INTENTS = (CRISIS_INTENT, CRISIS_CHECK_INTENT, CONFIRM_DELETE_INTENT, AFFIRM_INTENT)
# Parse-data key where the safety guard records which layer raised a signal:
# {"level", "categories", "detector", "model", "incomplete", "classifier", ...}
# (bot/components/crisis_guard.py).
CRISIS_RULE_KEY = "crisis_rule"

# Messages only the channels (or the bot's own buttons) create: typed, they are
# refused unless the bot sent them as a button (bot/channels/guard.py).
EMPTY_MESSAGE = "/empty_message"
INPUT_TOO_LONG = "/input_too_long"
CRISIS_PAYLOAD = "/crisis"
CRISIS_CHECK_PAYLOAD = "/crisis_check"
NON_TEXT_PAYLOAD = "/non_text_message"
CONFIRM_DELETE_PAYLOAD = "/confirm_delete_data"
TRUSTED_PAYLOADS = (
    EMPTY_MESSAGE,
    INPUT_TOO_LONG,
    CRISIS_PAYLOAD,
    CRISIS_CHECK_PAYLOAD,
    NON_TEXT_PAYLOAD,
)

# Responses the channels send themselves (the turn's own reply did not come).
DATA_DELETED_RESPONSE = "utter_data_deleted"
DATA_DELETE_FAILED_RESPONSE = "utter_data_delete_failed"
DEFAULT_RESPONSE = "utter_default"
TECHNICAL_PROBLEM_RESPONSE = "utter_technical_problem"
RESPONSES = (
    DATA_DELETED_RESPONSE,
    DATA_DELETE_FAILED_RESPONSE,
    DEFAULT_RESPONSE,
    TECHNICAL_PROBLEM_RESPONSE,
)

# The custom message an action sends to have the channel delete the conversation;
# the web widget (bot/widget/src/messages.js) reads the same one.
DELETE_MARKER: Mapping[str, str] = MappingProxyType(
    {"hechtwijzer": "delete_conversation"}
)

# Codes (slot values and content keys; docs/ARCHITECTURE.md).
STYLES = ("secure", "avoidant", "anxious", "disorganised")
CONTINUUM_LEVELS = ("symptom", "traits", "structure")
RELATIONSHIP_CONTEXTS = ("partner", "family", "work", "friends")
GENERAL_CONTEXT = "general"
