"""No bot text anywhere names a disorder as the person's (psychoeducation, not diagnosis).

Scans every text the bot can send: domain responses (``domain/*.yml``), response
files (``data/nlu/responses*.yml``) and content files (``actions/content/*.yml``,
``bot/content/*.yml``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

_WORDS = r"(?:\S+\s+){0,3}?"
DISORDERS = (
    r"\S*stoornis\w*|borderline|narcis\w*|autist\w*|autisme|adhd|add|ptss|ocd|"
    r"bipolair\w*|manisch\w*|psychotisch\w*|psychopa\w*|depressief|depressie|"
    r"gestoord\w*|persoonlijkheidsgestoord\w*|getraumatiseerd"
)
LABELS = [
    # "je hebt (vast) een ... stoornis", "jij hebt borderline"
    re.compile(rf"\b(?:je|jij|u)\s+hebt\s+{_WORDS}(?:{DISORDERS})\b", re.IGNORECASE),
    # "jij bent borderline", "je bent (waarschijnlijk) narcistisch"
    re.compile(rf"\b(?:je|jij|u)\s+bent\s+{_WORDS}(?:{DISORDERS})\b", re.IGNORECASE),
    # "heb jij een stoornis? Ja." is a question; but "jouw stoornis" claims one
    re.compile(r"\b(?:jouw|uw)\s+\S*stoornis\w*", re.IGNORECASE),
    re.compile(r"\b(?:je|jij|u)\s+lijdt\s+aan\b", re.IGNORECASE),
    re.compile(r"\b(?:jouw|je|uw)\s+diagnose\s+(?:is|luidt)\b", re.IGNORECASE),
    re.compile(r"\bdit\s+is\s+(?:jouw|je|uw)\s+diagnose\b", re.IGNORECASE),
    re.compile(
        r"\b(?:je|jij)\s+(?:bent|hebt)\s+(?:een\s+)?(?:patiënt|patient)\b",
        re.IGNORECASE,
    ),
]


def bot_text_files() -> List[Path]:
    """Every file that holds text the bot sends."""
    files = sorted((ROOT / "domain").glob("*.yml"))
    files += sorted((ROOT / "data" / "nlu").glob("responses*.yml"))
    files += sorted((ROOT / "actions" / "content").glob("*.yml"))
    files += sorted((ROOT / "bot" / "content").glob("*.yml"))
    files += sorted((ROOT / "hechtwijzer_core" / "content").glob("*.yml"))
    return files


def strings(node: Any, where: str = "") -> Iterator[Tuple[str, str]]:
    """All strings in a parsed YAML tree, with a path for the error message."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{where}[{index}]")


def user_facing(path: Path, data: Any) -> Any:
    """The part of a file the bot sends (domain: responses only; the crisis patterns: none)."""
    if path.parent.name == "domain" or path.name.startswith("responses"):
        return (data or {}).get("responses", {})
    if path.name == "crisis_patterns.yml":
        return {}
    return data


def find_labels(text: str) -> List[str]:
    """Phrases in ``text`` that name a disorder as the reader's."""
    found: List[str] = []
    for pattern in LABELS:
        found += [m.group(0) for m in pattern.finditer(" ".join(text.split()))]
    return found


@pytest.mark.parametrize(
    "bad",
    [
        "Je hebt een persoonlijkheidsstoornis.",
        "Jij bent borderline, dat zie ik zo.",
        "je hebt waarschijnlijk een hechtingsstoornis",
        "Je bent vast narcistisch.",
        "Met jouw hechtingsstoornis is dat lastig.",
        "Je lijdt aan verlatingsangst.",
        "Jouw diagnose is: vermijdend.",
        "je hebt ADHD",
    ],
)
def test_scanner_catches_labels(bad: str) -> None:
    """The scanner itself recognises the phrases it must forbid."""
    assert find_labels(bad)


@pytest.mark.parametrize(
    "fine",
    [
        "Heb je een stoornis? Dat kan ik niet zeggen; ik stel geen diagnose.",
        "Een persoonlijkheidsstoornis stelt alleen een behandelaar vast.",
        "Dat betekent niet dat er iets mis is met jou.",
        "Je herkent misschien iets van het vermijdende patroon.",
    ],
)
def test_scanner_allows_explanations(fine: str) -> None:
    """Explaining what a disorder is, or declining to diagnose, is fine."""
    assert find_labels(fine) == []


def test_no_bot_text_labels_the_person() -> None:
    """No text the bot can send names a disorder as the person's."""
    files = bot_text_files()
    assert any(p.name == "helplines.yml" for p in files)
    problems = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, text in strings(user_facing(path, data)):
            for phrase in find_labels(text):
                problems.append(f"{path.relative_to(ROOT)}{where}: {phrase!r}")
    print(f"\nscanned {len(files)} files for disorder labels")
    assert problems == []
