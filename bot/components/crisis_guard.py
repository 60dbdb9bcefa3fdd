"""NLU component that makes the crisis intent win, whatever the classifier said.

Placed as the last pipeline entry (after FallbackClassifier). When the pure detector
(``bot.crisis``) fires on the message text, the intent becomes ``crisis`` with
confidence 1.0 and ``crisis`` is put on top of the ranking. The other way round,
when only the classifier says ``crisis`` and the detector recognises nothing but an
everyday idiom ("ik verveel me dood"), the next intent of the ranking is used. Lemmas from the pipeline's
tokenizer (SpacyTokenizer) are handed to the detector as extra lemma forms.
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
RULE_KEY = "crisis_rule"
TOKENS_KEY = TOKENS_NAMES[TEXT]


def _lemmas_of(message: Message) -> Dict[str, str]:
    """Word -> lemma pairs from the tokenizer, where the lemma differs from the word."""
    lemmas: Dict[str, str] = {}
    for token in message.get(TOKENS_KEY) or []:
        text = getattr(token, "text", None)
        lemma = getattr(token, "lemma", None)
        if isinstance(text, str) and isinstance(lemma, str) and lemma and lemma != text:
            lemmas[text.lower()] = lemma.lower()
    return lemmas


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisGuard(GraphComponent):
    """Override the predicted intent with ``crisis`` when the rule layer fires."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Configuration: the intent name to set (default ``crisis``)."""
        return {"intent": CRISIS_INTENT}

    def __init__(self, config: Dict[str, Any]) -> None:
        """Create the guard with its configuration."""
        self.intent_name = str(config.get("intent") or CRISIS_INTENT)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        """Build the component (nothing to train or load)."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the crisis intent on every message the detector fires on."""
        for message in messages:
            self.process_one(message)
        return messages

    def _demote_idiom(self, message: Message) -> None:
        """Classifier said crisis, the rules only found an idiom: take the next intent."""
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != self.intent_name:
            return
        ranking = [
            entry
            for entry in message.get(INTENT_RANKING_KEY) or []
            if entry.get(INTENT_NAME_KEY) != self.intent_name
        ]
        if not ranking:
            return
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        message.set(
            RULE_KEY,
            {"categories": [], "classifier_intent": self.intent_name, "idiom": True},
            add_to_output=True,
        )
        logger.info("Crisis intent dropped: only an everyday idiom was found.")

    def process_one(self, message: Message) -> Optional[List[str]]:
        """Check one message; return the crisis categories when it was overridden."""
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip():
            return None
        result = detect(text, _lemmas_of(message))
        if not result.is_crisis:
            if result.only_idioms:
                self._demote_idiom(message)
            return None
        previous_intent = message.get(INTENT) or {}
        previous = previous_intent.get(INTENT_NAME_KEY)
        top = {INTENT_NAME_KEY: self.intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            entry
            for entry in message.get(INTENT_RANKING_KEY) or []
            if entry.get(INTENT_NAME_KEY) != self.intent_name
        ]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top)] + ranking, add_to_output=True)
        message.set(
            RULE_KEY,
            {
                "categories": list(result.categories),
                "classifier_intent": previous,
                "classifier_confidence": previous_intent.get(PREDICTED_CONFIDENCE_KEY),
            },
            add_to_output=True,
        )
        logger.info(
            "Crisis rule fired (categories %s; classifier said %s).",
            ",".join(result.categories),
            previous,
        )
        return list(result.categories)
