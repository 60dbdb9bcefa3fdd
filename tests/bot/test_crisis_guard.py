"""Tests for the CrisisGuard NLU component (bot/components/crisis_guard.py)."""

from __future__ import annotations

from typing import List

import pytest
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot.components.crisis_guard import CrisisGuard


def classified(text: str, intent: str = "faq", confidence: float = 0.9) -> Message:
    """A message as the pipeline leaves it before the guard runs."""
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set(
        "intent_ranking",
        [
            {"name": intent, "confidence": confidence},
            {"name": "crisis", "confidence": 0.05},
        ],
    )
    return message


@pytest.fixture
def guard() -> CrisisGuard:
    """The component with its default configuration."""
    return CrisisGuard(CrisisGuard.get_default_config())


def test_crisis_overrides_confident_classifier(guard: CrisisGuard) -> None:
    """Whatever the classifier said, a crisis text becomes intent crisis at 1.0."""
    message = guard.process([classified("ik wil niet meer leven", "faq", 0.99)])[0]
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    ranking: List[dict] = message.get("intent_ranking")
    assert ranking[0] == {"name": "crisis", "confidence": 1.0}
    assert [r["name"] for r in ranking].count("crisis") == 1
    assert ranking[1]["name"] == "faq"
    assert message.get("crisis_rule") == {
        "categories": ["suicide"],
        "classifier_intent": "faq",
        "classifier_confidence": 0.99,
    }


def test_crisis_overrides_fallback(guard: CrisisGuard) -> None:
    """Even nlu_fallback (low confidence) is overridden."""
    message = guard.process([classified("mijn vader slaat me", "nlu_fallback", 0.45)])[
        0
    ]
    assert message.get("intent")["name"] == "crisis"


def test_other_messages_untouched(guard: CrisisGuard) -> None:
    """Near-misses and ordinary questions keep the classifier's intent."""
    message = guard.process([classified("ik ga dood van het lachen", "chitchat", 0.8)])[
        0
    ]
    assert message.get("intent") == {"name": "chitchat", "confidence": 0.8}
    assert message.get("crisis_rule") is None


def test_empty_text_untouched(guard: CrisisGuard) -> None:
    """Messages without text are left alone."""
    message = Message(data={"text": ""})
    assert guard.process_one(message) is None
    assert message.get("intent") is None


def test_uses_tokenizer_lemmas(guard: CrisisGuard) -> None:
    """Lemmas from the tokenizer reach the detector."""
    message = classified("ik wil mezelf fribbelen")
    assert guard.process_one(message) is None
    message.set(
        "text_tokens",
        [
            Token("ik", 0),
            Token("wil", 3),
            Token("mezelf", 7),
            Token("fribbelen", 14, lemma="ombrengen"),
        ],
    )
    assert guard.process_one(message) == ["suicide"]
    assert message.get("intent")["name"] == "crisis"


def test_configurable_intent_name() -> None:
    """The intent name comes from the component's config."""
    guard = CrisisGuard({"intent": "noodgeval"})
    message = guard.process([classified("ik wil dood")])[0]
    assert message.get("intent")["name"] == "noodgeval"


def test_classifier_crisis_on_an_idiom_is_demoted(guard: CrisisGuard) -> None:
    """Classifier says crisis, rules see only an idiom: the next intent wins."""
    message = classified("ik verveel me dood", "crisis", 0.8)
    message.set(
        "intent_ranking",
        [
            {"name": "crisis", "confidence": 0.8},
            {"name": "out_of_scope", "confidence": 0.1},
        ],
    )
    assert guard.process_one(message) is None
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 0.1}
    assert [r["name"] for r in message.get("intent_ranking")] == ["out_of_scope"]
    assert message.get("crisis_rule")["idiom"] is True


def test_classifier_crisis_without_idiom_is_kept(guard: CrisisGuard) -> None:
    """Unknown wording the classifier calls crisis stays crisis (recall first)."""
    message = classified("niemand ziet hoe zwaar het is", "crisis", 0.7)
    assert guard.process_one(message) is None
    assert message.get("intent") == {"name": "crisis", "confidence": 0.7}
