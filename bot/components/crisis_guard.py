"""NLU component that gives every message one of three safety answers.

Placed as the last pipeline entry (after FallbackClassifier). The pure detector
(``hechtwijzer_core.crisis``: patterns plus a small learned model) and the intent classifier are
combined: the stronger signal wins, except that the classifier's ``crisis`` alone
brings a check-in; nothing lowers a crisis of the detector:

- ``crisis``: the detector finds a clear signal. The intent becomes ``crisis`` with
  confidence 1.0.
- ``crisis_check``: the detector finds a passive or unclear signal, or the classifier
  puts ``crisis`` on top while the detector finds no clear signal (always asked: on
  the blind lists this alone brought the help lines to near-misses such as "ik lig
  dood 😂" and to no clear crisis), or the classifier puts ``crisis_check`` on top or
  gives ``crisis`` / ``crisis_check`` at least ``check_confidence`` (unless the
  detector recognised an everyday idiom in those very words, or its model is very
  sure the message is an everyday one). The intent becomes ``crisis_check`` (the bot
  asks a direct check-in question; "ja" to it brings the help lines).
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

from hechtwijzer_core.contract import CRISIS_RULE_KEY
from hechtwijzer_core.crisis import detect

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
CHECK_INTENT = "crisis_check"
TOKENS_KEY = TOKENS_NAMES[TEXT]
DEFAULT_CHECK_CONFIDENCE = 0.25
DEFAULT_FALLBACK_THRESHOLD = 0.45  # FallbackClassifier's threshold in config.yml
FALLBACK_INTENT = "nlu_fallback"


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
        if (
            entry.get(INTENT_NAME_KEY) in (CRISIS_INTENT, CHECK_INTENT)
            and float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= check_confidence
        ):
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
            "fallback_threshold": DEFAULT_FALLBACK_THRESHOLD,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        """Create the guard with its configuration."""
        self.intent_name = str(config.get("intent") or CRISIS_INTENT)
        self.check_intent = str(config.get("check_intent") or CHECK_INTENT)
        self.check_confidence = float(
            config.get("check_confidence", DEFAULT_CHECK_CONFIDENCE)
        )
        self.fallback_threshold = float(
            config.get("fallback_threshold", DEFAULT_FALLBACK_THRESHOLD)
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        """Build the component and train the detector's learned model once.

        So the first message after start-up does not wait for the training.
        """
        detect("hallo")
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the safety intent on every message that needs one."""
        for message in messages:
            self.process_one(message)
        return messages

    def _drop_check_intent(
        self,
        message: Message,
        intent: Dict[str, Any],
        ranking: List[Dict[str, Any]],
    ) -> None:
        """The classifier's own ``crisis_check`` gives way to its next intent."""
        if intent.get(INTENT_NAME_KEY) != self.check_intent:
            return
        rest = [
            e
            for e in ranking
            if e.get(INTENT_NAME_KEY) not in (self.check_intent, self.intent_name)
        ]
        if not rest:
            return
        top = dict(rest[0])
        confidence = float(top.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if confidence < self.fallback_threshold:
            # As FallbackClassifier would have done had it seen this ranking.
            top = {
                INTENT_NAME_KEY: FALLBACK_INTENT,
                PREDICTED_CONFIDENCE_KEY: 1.0 - confidence,
            }
            rest = [top] + rest
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, rest, add_to_output=True)
        logger.info("Check-in dropped: the detector read an everyday sentence.")

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
        if from_classifier == "check" and result.level == "none":
            # The classifier never saw near-misses; the detector did. Its doubt
            # gives way when the detector recognised an everyday idiom in the very
            # words that looked alarming, or its model is very sure. A classifier
            # `crisis` is never dropped (below it becomes a check-in).
            if result.suppressed or result.model_none >= result.silence_at:
                self._drop_check_intent(message, previous_intent, ranking)
                return None
        if from_classifier == "crisis" and result.level != "crisis":
            # The classifier alone is asked about, never given the help lines:
            # it learned from few near-misses. This check-in is never dropped.
            from_classifier = "check"
        levels = {result.level, from_classifier}
        level = (
            "crisis" if "crisis" in levels else "check" if "check" in levels else None
        )
        if level is None:
            return None
        name = self.intent_name if level == "crisis" else self.check_intent
        top = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        rest = [e for e in ranking if e.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top)] + rest, add_to_output=True)
        message.set(
            CRISIS_RULE_KEY,
            {
                "level": level,
                "categories": list(result.categories),
                "detector": result.level,
                "model": result.model_level,
                "incomplete": result.incomplete,
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
