"""NLU component that gives every message one of three safety answers.

Placed as the last pipeline entry (after FallbackClassifier). The pure detector
(``bot.crisis``: patterns plus a small learned model) and the intent classifier are
combined, and the stronger signal wins; nothing lowers a crisis:

- ``crisis``: the detector finds a clear signal, or the classifier's top intent is
  ``crisis``. The intent becomes ``crisis`` with confidence 1.0.
- ``crisis_check``: the detector finds a passive or unclear signal, or the classifier
  puts ``crisis`` / ``crisis_check`` on top or gives either at least
  ``check_confidence``. The intent becomes ``crisis_check`` (the bot asks a direct
  check-in question).
- otherwise the classifier's intent stands.

Lemmas from the pipeline's tokenizer (SpacyTokenizer) are handed to the detector as
extra lemma forms.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.crisis import detect

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
CHECK_INTENT = "crisis_check"
RULE_KEY = "crisis_rule"
TOKENS_KEY = TOKENS_NAMES[TEXT]
DEFAULT_CHECK_CONFIDENCE = 0.25


def _lemmas_of(message: Message) -> Dict[str, str]:
    """Word -> lemma pairs from the tokenizer, where the lemma differs from the word."""
    lemmas: Dict[str, str] = {}
    for token in message.get(TOKENS_KEY) or []:
        text = getattr(token, "text", None)
        lemma = getattr(token, "lemma", None)
        if isinstance(text, str) and isinstance(lemma, str) and lemma and lemma != text:
            lemmas[text.lower()] = lemma.lower()
    return lemmas


def classifier_level(
    intent: Optional[Dict[str, Any]],
    ranking: List[Dict[str, Any]],
    check_confidence: float,
) -> str:
    """What the intent classifier alone says: ``crisis``, ``check`` or ``none``."""
    top = (intent or {}).get(INTENT_NAME_KEY)
    if top == CRISIS_INTENT:
        return "crisis"
    if top == CHECK_INTENT:
        return "check"
    for entry in ranking:
        if entry.get(INTENT_NAME_KEY) in (CRISIS_INTENT, CHECK_INTENT) and float(
            entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0
        ) >= check_confidence:
            return "check"
    return "none"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisGuard(GraphComponent):
    """Set ``crisis`` or ``crisis_check`` when the detector or the classifier says so."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Intent names and the classifier confidence that asks a check-in."""
        return {
            "intent": CRISIS_INTENT,
            "check_intent": CHECK_INTENT,
            "check_confidence": DEFAULT_CHECK_CONFIDENCE,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        """Create the guard with its configuration."""
        self.intent_name = str(config.get("intent") or CRISIS_INTENT)
        self.check_intent = str(config.get("check_intent") or CHECK_INTENT)
        self.check_confidence = float(
            config.get("check_confidence", DEFAULT_CHECK_CONFIDENCE)
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        """Build the component; the detector's learned model is trained here once,
        so the first message after start-up does not wait for it."""
        detect("hallo")
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the safety intent on every message that needs one."""
        for message in messages:
            self.process_one(message)
        return messages

    def process_one(self, message: Message) -> Optional[str]:
        """Check one message; return the level set (``crisis``/``check``) or None."""
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip() or text.startswith("/"):
            return None
        result = detect(text, _lemmas_of(message))
        previous_intent = message.get(INTENT) or {}
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        from_classifier = classifier_level(
            previous_intent, ranking, self.check_confidence
        )
        levels = {result.level, from_classifier}
        level = "crisis" if "crisis" in levels else "check" if "check" in levels else None
        if level is None:
            return None
        name = self.intent_name if level == "crisis" else self.check_intent
        top = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        rest = [e for e in ranking if e.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top)] + rest, add_to_output=True)
        message.set(
            RULE_KEY,
            {
                "level": level,
                "categories": list(result.categories),
                "detector": result.level,
                "classifier": from_classifier,
                "classifier_intent": previous_intent.get(INTENT_NAME_KEY),
                "classifier_confidence": previous_intent.get(PREDICTED_CONFIDENCE_KEY),
            },
            add_to_output=True,
        )
        logger.info(
            "Safety level %s (detector %s, classifier %s).",
            level,
            result.level,
            from_classifier,
        )
        return level
