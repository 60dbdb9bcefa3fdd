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
        "level": "crisis",
        "categories": ["suicide"],
        "detector": "crisis",
        "model": "check",
        "incomplete": False,
        "classifier": "none",
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
    from hechtwijzer_core import crisis

    text = "ik wil mezelf fribbelen"
    assert crisis.detect(text, use_model=False).level == "none"
    message = classified(text)
    message.set(
        "text_tokens",
        [
            Token("ik", 0),
            Token("wil", 3),
            Token("mezelf", 7),
            Token("fribbelen", 14, lemma="ombrengen"),
        ],
    )
    assert guard.process_one(message) == "crisis"
    assert message.get("crisis_rule")["categories"] == ["suicide"]
    assert message.get("intent")["name"] == "crisis"


def test_configurable_intent_name() -> None:
    """The intent name comes from the component's config."""
    guard = CrisisGuard({"intent": "noodgeval"})
    message = guard.process([classified("ik wil dood")])[0]
    assert message.get("intent")["name"] == "noodgeval"


def test_classifier_crisis_is_never_silenced_by_an_idiom(guard: CrisisGuard) -> None:
    """Classifier says crisis and the message also holds an idiom: still a check-in."""
    message = classified(
        "ik verveel me dood en ik weet niet meer wat ik moet", "crisis", 0.8
    )
    message.set(
        "intent_ranking",
        [
            {"name": "crisis", "confidence": 0.8},
            {"name": "out_of_scope", "confidence": 0.1},
        ],
    )
    assert guard.process_one(message) == "check"
    assert message.get("intent") == {"name": "crisis_check", "confidence": 1.0}
    assert message.get("crisis_rule")["classifier"] == "check"
    assert message.get("crisis_rule")["classifier_intent"] == "crisis"


def test_classifier_crisis_without_detector_signal_is_a_check_in(
    guard: CrisisGuard,
) -> None:
    """Wording only the classifier calls crisis gets the direct check-in question."""
    message = classified("niemand ziet hoe zwaar het is", "crisis", 0.7)
    assert guard.process_one(message) == "check"
    assert message.get("intent") == {"name": "crisis_check", "confidence": 1.0}


def test_classifier_crisis_with_a_clear_detector_signal_is_a_crisis(
    guard: CrisisGuard,
) -> None:
    """Both say crisis: the help lines at once."""
    message = classified("ik wil niet meer leven", "crisis", 0.9)
    assert guard.process_one(message) == "crisis"
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}


def test_a_passive_signal_becomes_a_check_in(guard: CrisisGuard) -> None:
    """'ik ben levensmoe' asks the check-in question instead of an FAQ answer."""
    message = guard.process([classified("ik ben levensmoe", "faq", 0.9)])[0]
    assert message.get("intent") == {"name": "crisis_check", "confidence": 1.0}
    assert message.get("crisis_rule")["level"] == "check"


def test_classifier_doubt_about_crisis_becomes_a_check_in(guard: CrisisGuard) -> None:
    """Crisis lower in the ranking, but not negligible: the person is asked."""
    message = classified("het gaat gewoon niet goed", "out_of_scope", 0.5)
    message.set(
        "intent_ranking",
        [
            {"name": "out_of_scope", "confidence": 0.5},
            {"name": "crisis", "confidence": 0.3},
        ],
    )
    assert guard.process_one(message) == "check"
    assert message.get("intent")["name"] == "crisis_check"
    quiet = classified("wat is hechting", "faq", 0.9)
    assert guard.process_one(quiet) is None
    assert quiet.get("intent") == {"name": "faq", "confidence": 0.9}


def test_classifier_check_in_is_kept(guard: CrisisGuard) -> None:
    """The classifier's own crisis_check intent stays a check-in."""
    message = classified("alles is zo zwaar de laatste tijd", "crisis_check", 0.6)
    assert guard.process_one(message) in ("check", "crisis")
    assert message.get("intent")["name"] in ("crisis_check", "crisis")


def test_payloads_are_not_screened(guard: CrisisGuard) -> None:
    """A button payload is not text a person typed."""
    message = classified("/crisis_check", "crisis_check", 1.0)
    assert guard.process_one(message) is None


def test_classifier_check_in_gives_way_to_a_recognised_idiom(
    guard: CrisisGuard,
) -> None:
    """'haha ik kan niet meer': the detector read laughter; no check-in, no alarm."""
    message = classified("haha ik kan niet meer", "crisis_check", 0.97)
    message.set(
        "intent_ranking",
        [
            {"name": "crisis_check", "confidence": 0.97},
            {"name": "chitchat", "confidence": 0.02},
        ],
    )
    assert guard.process_one(message) is None
    assert message.get("intent")["name"] == "nlu_fallback"
    assert "crisis_check" not in [r["name"] for r in message.get("intent_ranking")]


def test_classifier_crisis_never_gives_way_to_an_idiom(guard: CrisisGuard) -> None:
    """The same idiom with the classifier saying crisis: the person is still asked."""
    message = classified("haha ik kan niet meer", "crisis", 0.9)
    assert guard.process_one(message) == "check"
    assert message.get("intent")["name"] == "crisis_check"
