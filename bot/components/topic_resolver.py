"""NLU component: answer a knowledge question only when it is clear, else ask back.

Placed after FallbackClassifier and before CrisisGuard (which must stay last). It
reads the intent ranking, the FAQ response selector's ranking, the second
reader's answers (``bot.components.knowledge_reader``) and the text, and lets
``bot.components.topic_choice`` decide:

- ``answer``: the message gets the intent of the chosen answer (``faq`` with the
  selector's prediction set to the topic, ``explain_term`` or ``ask_style``), also
  when FallbackClassifier had given up on it;
- ``ask``: the intent becomes ``unclear_question`` and the property ``topic_choice``
  carries the options (``action_ask_which_topic`` offers them as buttons);
- ``pass``: nothing changes.

When the bot's last turn was that question (``action_ask_which_topic``, slot
``topic_options``), a short typed reply ("de eerste", "bindingsangst", "ja", "nee
iets anders") becomes ``choose_topic`` with the entity ``topic_choice``, exactly
as if the button had been pressed. The tracker is handed to ``process`` by Rasa.

The names and the choice words are read from ``actions/content/knowledge.yml``
when the model is loaded, so a content change needs no retraining.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.components.topic_choice import (
    CHOICE_INTENT,
    FALLBACK_INTENT,
    FAQ_INTENT,
    STYLE_INTENT,
    TERM_INTENT,
    UNCLEAR_INTENT,
    Decision,
    Settings,
    Vocabulary,
    read_choice,
    resolve,
)

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
PROPERTY = "topic_choice"
#: What ``bot.components.knowledge_reader`` wrote (absent when it is not in the
#: pipeline: then the classifier decides alone).
READING_PROPERTY = "knowledge_reading"
CHOICE_ENTITY = "topic_choice"
#: The entity ``action_explain_style`` reads a style from (a style code is one of
#: its values); set when the chosen style was described, not named.
STYLE_ENTITY = "attachment_style"
OPTIONS_SLOT = "topic_options"
ASK_ACTION = "action_ask_which_topic"
#: A classifier that puts one of these on top is left alone (CrisisGuard reads it).
PROTECTED_INTENTS = ("crisis", "crisis_check")


def pending_options(tracker: Optional[DialogueStateTracker]) -> List[str]:
    """The options of "Bedoel je …?" when that was the bot's last question."""
    if tracker is None:
        return []
    asked = False
    for event in reversed(tracker.events):
        kind = getattr(event, "type_name", "")
        if kind == "user":
            break
        if kind == "action" and getattr(event, "action_name", None) == ASK_ACTION:
            asked = True
            break
    if not asked:
        return []
    options = tracker.get_slot(OPTIONS_SLOT)
    if not isinstance(options, list):
        return []
    return [str(option) for option in options if isinstance(option, str)]


def rankings(
    message: Message,
) -> Tuple[List[Tuple[str, float]], List[Tuple[str, float]]]:
    """(intent, confidence) and (FAQ topic, confidence) as the classifiers left them."""
    intents = [
        (
            str(entry.get(INTENT_NAME_KEY)),
            float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0),
        )
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry.get(INTENT_NAME_KEY)
    ]
    if not intents:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY):
            intents = [
                (
                    str(intent[INTENT_NAME_KEY]),
                    float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0),
                )
            ]
    selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(
        FAQ_INTENT
    ) or {}
    topics = []
    for entry in selector.get(RESPONSE_SELECTOR_RANKING_KEY) or []:
        key = str(entry.get(INTENT_RESPONSE_KEY) or "")
        prefix, _, topic = key.partition("/")
        if prefix == FAQ_INTENT and topic:
            topics.append((topic, float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0)))
    return intents, topics


def content_vocabulary(content: Any) -> Vocabulary:
    """The names and choice words of the content file (relative to the project)."""
    path = Path(str(content))
    if not path.is_absolute():
        path = ROOT / path
    return Vocabulary.from_content(
        yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    )


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class TopicResolver(GraphComponent):
    """Answer clear knowledge questions, ask back about unclear ones."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The content file and the decision settings (``topic_choice.Settings``)."""
        return {"content": "actions/content/knowledge.yml", **Settings().__dict__}

    def __init__(self, config: Dict[str, Any], vocabulary: Vocabulary) -> None:
        """Create the resolver with its settings and vocabulary."""
        self.settings = Settings.from_mapping(config)
        self.vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicResolver:
        """Read the vocabulary from the content file."""
        merged = {**cls.get_default_config(), **config}
        return cls(merged, content_vocabulary(merged["content"]))

    def process(
        self,
        messages: List[Message],
        tracker: Optional[DialogueStateTracker] = None,
    ) -> List[Message]:
        """Resolve every message (typed choices only with a conversation)."""
        options = pending_options(tracker)
        for message in messages:
            self.process_one(message, options)
        return messages

    def process_one(self, message: Message, options: Sequence[str] = ()) -> Decision:
        """Resolve one message; return what was decided."""
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip() or text.startswith("/"):
            return Decision("pass")
        if options:
            choice = read_choice(text, options, self.vocabulary)
            if choice is not None:
                self._set_choice(message, choice)
                return Decision("answer", label=choice)
        intents, topics = rankings(message)
        first = next((name for name, _ in intents if name != FALLBACK_INTENT), None)
        if first in PROTECTED_INTENTS:
            # The safety layer reads the classifier's own crisis reading: never hide it.
            return Decision("pass")
        reading = {
            str(label): float(value)
            for label, value in message.get(READING_PROPERTY) or []
        }
        decision = resolve(
            intents, topics, text, self.vocabulary, self.settings, reading
        )
        if decision.kind == "answer" and decision.label:
            self._set_answer(message, decision.label, dict(decision.scores))
        elif decision.kind == "ask":
            self._set_intent(message, UNCLEAR_INTENT, 1.0)
        message.set(
            PROPERTY,
            {
                "decision": decision.kind,
                "label": decision.label,
                "options": list(decision.options),
                "scores": [list(pair) for pair in decision.scores],
                # What the decision was made from (bench/nlu_heldout.py replays it).
                "intents": [[name, round(value, 5)] for name, value in intents[:12]],
                "topics": [[name, round(value, 5)] for name, value in topics[:10]],
                "reading": [[name, value] for name, value in reading.items()],
            },
            add_to_output=True,
        )
        return decision

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float) -> None:
        """Put ``name`` on top of the intent ranking (the rest stays below it)."""
        top = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
        ranking = [
            dict(entry)
            for entry in message.get(INTENT_RANKING_KEY) or []
            if entry.get(INTENT_NAME_KEY) not in (name, FALLBACK_INTENT, UNCLEAR_INTENT)
        ]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top)] + ranking, add_to_output=True)

    def _set_choice(self, message: Message, choice: str) -> None:
        """The typed reply picks ``choice``, as the button would have."""
        self._set_intent(message, CHOICE_INTENT, 1.0)
        self._add_entity(message, CHOICE_ENTITY, choice)

    def _add_entity(self, message: Message, entity: str, value: str) -> None:
        """Set the one ``entity`` of the message to ``value``."""
        entities = [
            e
            for e in message.get(ENTITIES) or []
            if e.get(ENTITY_ATTRIBUTE_TYPE) != entity
        ]
        entities.append(
            {
                ENTITY_ATTRIBUTE_TYPE: entity,
                ENTITY_ATTRIBUTE_VALUE: value,
                EXTRACTOR: type(self).__name__,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)

    def _set_answer(
        self, message: Message, label: str, scores: Dict[str, float]
    ) -> None:
        """Give the message the intent (and FAQ prediction) of ``label``."""
        kind, _, key = label.partition("/")
        confidence = float(scores.get(label, 1.0))
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if kind == "faq":
            if current != FAQ_INTENT:
                self._set_intent(message, FAQ_INTENT, confidence)
            self._set_faq_topic(message, key, confidence)
        elif kind == "term" and current != TERM_INTENT:
            self._set_intent(message, TERM_INTENT, confidence)
        elif kind == "style":
            if current != STYLE_INTENT:
                self._set_intent(message, STYLE_INTENT, confidence)
            if not self.vocabulary.style_names.find(str(message.get(TEXT) or "")):
                self._add_entity(message, STYLE_ENTITY, key)

    @staticmethod
    def _set_faq_topic(message: Message, topic: str, confidence: float) -> None:
        """Make ``faq/<topic>`` the response selector's prediction."""
        properties = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
        selector = dict(properties.get(FAQ_INTENT) or {})
        response = dict(selector.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {})
        key = f"{FAQ_INTENT}/{topic}"
        if response.get(INTENT_RESPONSE_KEY) == key:
            return
        template = f"utter_{key}"
        response.update(
            {
                INTENT_RESPONSE_KEY: key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: template,
                PREDICTED_CONFIDENCE_KEY: confidence,
                RESPONSE_SELECTOR_RESPONSES_KEY: [],
            }
        )
        ranking = list(selector.get(RESPONSE_SELECTOR_RANKING_KEY) or [])
        chosen = [e for e in ranking if e.get(INTENT_RESPONSE_KEY) == key]
        others = [e for e in ranking if e.get(INTENT_RESPONSE_KEY) != key]
        selector[RESPONSE_SELECTOR_PREDICTION_KEY] = response
        selector[RESPONSE_SELECTOR_RANKING_KEY] = chosen + others
        properties[FAQ_INTENT] = selector
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
