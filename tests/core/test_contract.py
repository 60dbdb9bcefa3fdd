"""The shared names exist in the domain, and the widget reads the same delete marker."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Set

import pytest
import yaml

from hechtwijzer_core import contract

ROOT = Path(__file__).resolve().parents[2]


def domain_names() -> Dict[str, Set[str]]:
    """Intents, slots, forms, responses and actions declared in ``domain/*.yml``."""
    names: Dict[str, Set[str]] = {
        "intents": set(),
        "slots": set(),
        "forms": set(),
        "responses": set(),
        "actions": set(),
    }
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data: Dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("intents") or []:
            names["intents"].add(
                next(iter(entry)) if isinstance(entry, dict) else entry
            )
        for key in ("slots", "forms", "responses"):
            names[key] |= set(data.get(key) or {})
        names["actions"] |= set(data.get("actions") or [])
    return names


def test_forms_slots_intents_and_responses_are_declared() -> None:
    names = domain_names()
    missing = [f for f in contract.FORMS if f not in names["forms"]]
    missing += [
        s
        for s in contract.SLOTS
        if s not in names["slots"] and s not in contract.RASA_SLOTS
    ]
    missing += [i for i in contract.INTENTS if i not in names["intents"]]
    missing += [r for r in contract.RESPONSES if r not in names["responses"]]
    assert missing == []


def test_trusted_payloads_name_declared_intents() -> None:
    intents = domain_names()["intents"]
    payloads = [*contract.TRUSTED_PAYLOADS, contract.CONFIRM_DELETE_PAYLOAD]
    assert [p for p in payloads if p[1:] not in intents] == []


def test_rasa_slots_are_not_declared_again() -> None:
    assert not set(contract.RASA_SLOTS) & domain_names()["slots"]


def test_style_codes_are_the_result_slot_values() -> None:
    data = yaml.safe_load((ROOT / "domain" / "results.yml").read_text("utf-8"))
    slots = data["slots"]
    assert tuple(slots["result_style"]["values"]) == contract.STYLES
    assert tuple(slots["result_continuum"]["values"]) == contract.CONTINUUM_LEVELS


def test_widget_reads_the_same_delete_marker() -> None:
    source = (ROOT / "bot" / "widget" / "src" / "messages.js").read_text("utf-8")
    checks = re.findall(r'data\.(\w+)\s*===\s*("[^"]*")', source)
    marker = {key: json.loads(value) for key, value in checks}
    assert marker.get("hechtwijzer") is not None, "the widget no longer reads it"
    assert {"hechtwijzer": marker["hechtwijzer"]} == dict(contract.DELETE_MARKER)


def test_delete_marker_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        contract.DELETE_MARKER["hechtwijzer"] = "x"  # type: ignore[index]
