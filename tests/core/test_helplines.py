"""Tests for hechtwijzer_core/helplines.py: the crisis reply both servers send."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from hechtwijzer_core import helplines

CATEGORIES = [
    "suicide",
    "method",
    "overdose",
    "plan",
    "passive",
    "self_harm",
    "violence",
    "sexual_abuse",
    "danger",
    "general",
]


def must_appear() -> List[str]:
    """The strings every crisis reply must contain (from helplines.yml)."""
    return list(helplines.helpline_content()["must_appear"])


def test_helplines_file_has_the_required_numbers() -> None:
    """The one content file holds 113 (chat, phone, free number), 112, Veilig Thuis, GP."""
    required = {
        "113.nl",
        "113",
        "0800-0113",
        "112",
        "0800-2000",
        "Veilig Thuis",
        "huisarts",
    }
    assert required <= set(must_appear())


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("paused", [False, True])
def test_every_crisis_reply_contains_every_number(category: str, paused: bool) -> None:
    """Each reply variant names every helpline, whatever the category."""
    reply = helplines.crisis_reply([category], paused=paused)
    missing = [item for item in must_appear() if item not in reply]
    assert missing == []


def test_reply_orders_help_by_category() -> None:
    """Violence at home puts Veilig Thuis first; danger puts 112 first."""
    violence = helplines.crisis_reply(["violence"])
    assert violence.index("0800-2000") < violence.index("0800-0113")
    danger = helplines.crisis_reply(["danger"])
    assert danger.index("112") < danger.index("0800-0113")
    suicide = helplines.crisis_reply(["suicide"])
    assert suicide.index("0800-0113") < suicide.index("0800-2000")


def test_unknown_category_falls_back_to_general() -> None:
    """Unknown categories still get the full general reply."""
    assert helplines.crisis_reply(["whatever"]) == helplines.crisis_reply([])


def test_crisis_categories_ignores_payloads() -> None:
    """The /crisis payload from the channel (long text) has no categories."""
    assert helplines.crisis_categories("/crisis") == []
    assert helplines.crisis_categories("mijn vriend slaat me") == ["violence"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [("/crisis", None), ("mijn vriend slaat me", None), ("zomaar iets", "crisis")],
)
def test_offline_crisis_reply_for_silent_turns(text: str, intent: str) -> None:
    """With the action server down, the guard can still send every number."""
    reply = helplines.offline_crisis_reply(text, intent)
    assert reply is not None
    assert all(item in reply for item in must_appear())


def test_offline_crisis_reply_is_none_otherwise() -> None:
    """Ordinary silent turns get the guard's own message, not the crisis reply."""
    assert helplines.offline_crisis_reply("wat is hechting?", "faq") is None
    assert helplines.offline_crisis_reply("", None) is None


def test_every_reply_names_belgium_in_one_line() -> None:
    """Belgium's help lines (1813, 112, 1712) come last, on one line of their own."""
    for category in CATEGORIES:
        lines = helplines.crisis_reply([category]).splitlines()
        belgian = [line for line in lines if "1813" in line]
        assert len(belgian) == 1
        assert "zelfmoord1813.be" in belgian[0] and "1712" in belgian[0]
        assert "112" in belgian[0]
        listed = [line for line in lines if line.startswith("- ")]
        assert listed[-1] == belgian[0]


def test_overdose_reply_starts_with_112() -> None:
    """Someone who took too much is told to call 112 first."""
    reply = helplines.crisis_reply(["overdose"])
    assert reply.index("112") < reply.index("0800-0113")


def test_numbers_live_only_in_helplines_yml() -> None:
    """No help-line number is written in Python, the domain or other content."""
    root = Path(__file__).resolve().parents[2]
    numbers = ["0800-0113", "0800-2000", "1813", "1712"]
    home = root / "hechtwijzer_core" / "content" / "helplines.yml"
    assert all(n in home.read_text(encoding="utf-8") for n in numbers)
    places = [
        *root.glob("hechtwijzer_core/**/*.py"),
        *root.glob("actions/**/*.py"),
        *root.glob("bot/**/*.py"),
        *root.glob("domain/*.yml"),
        *root.glob("hechtwijzer_core/content/*.yml"),
        *root.glob("actions/content/*.yml"),
        *root.glob("bot/content/*.yml"),
    ]
    found = [
        f"{p.relative_to(root)}: {n}"
        for p in places
        if p != home
        for n in numbers
        if n in p.read_text(encoding="utf-8")
    ]
    assert found == []


def test_offline_reply_for_a_check_in_turn_gives_the_help_lines() -> None:
    """Without the action server a check-in cannot be asked: the help lines instead."""
    reply = helplines.offline_crisis_reply("/crisis_check", "crisis_check")
    assert reply is not None and "0800-0113" in reply and "1813" in reply
