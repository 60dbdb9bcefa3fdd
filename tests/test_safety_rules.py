"""The safety rules: crisis wins in every state, the form pauses, deletion asks first."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent


def rules() -> List[Dict[str, Any]]:
    """The rules of data/rules/safety.yml."""
    data = yaml.safe_load((ROOT / "data" / "rules" / "safety.yml").read_text("utf-8"))
    return list(data["rules"])


def steps_for(intent: str, in_form: bool) -> List[Dict[str, Any]]:
    """Steps of the rule for ``intent`` outside or inside questionnaire_form."""
    for rule in rules():
        condition = rule.get("condition") or []
        form = {"active_loop": "questionnaire_form"} in condition
        if rule["steps"][0] == {"intent": intent} and form == in_form:
            return list(rule["steps"][1:])
    raise AssertionError(f"no rule for {intent} (in_form={in_form})")


def test_crisis_answers_first_in_both_states() -> None:
    """The crisis action is the very first thing the bot does, in and out of the form."""
    assert steps_for("crisis", False) == [{"action": "action_respond_crisis"}]
    assert steps_for("crisis", True)[0] == {"action": "action_respond_crisis"}


def test_crisis_in_form_pauses_instead_of_asking_again() -> None:
    """During the questions the form stops (answers kept) and is not asked again."""
    steps = steps_for("crisis", True)
    assert steps[1:] == [{"action": "action_deactivate_loop"}, {"active_loop": None}]
    assert {"action": "questionnaire_form"} not in steps


def test_delete_asks_and_confirm_stops_form() -> None:
    """Delete asks first (the form comes back); confirming stops the form."""
    assert steps_for("delete_data", True) == [
        {"action": "action_delete_data"},
        {"action": "questionnaire_form"},
        {"active_loop": "questionnaire_form"},
    ]
    assert steps_for("confirm_delete_data", True) == [
        {"action": "action_delete_data"},
        {"action": "action_deactivate_loop"},
        {"active_loop": None},
    ]
    assert steps_for("cancel_delete_data", False) == [
        {"action": "utter_delete_data_cancelled"}
    ]


def test_disclaimer_in_and_out_of_form() -> None:
    """The disclaimer is there on request, and the question comes back after it."""
    assert steps_for("request_disclaimer", False) == [{"action": "utter_disclaimer"}]
    assert steps_for("request_disclaimer", True)[-1] == {
        "active_loop": "questionnaire_form"
    }
