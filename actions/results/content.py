"""The Dutch words of the result: content lookups and short forms of the questions."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Tuple

from actions.content_store import load_content
from actions.scoring import QuestionSpec, load_specs
from hechtwijzer_core.contract import GENERAL_CONTEXT, RELATIONSHIP_CONTEXTS

CONTEXTS = RELATIONSHIP_CONTEXTS
SHORT_QUESTION_CHARS = 90
LEVELS = ("low", "middle", "high")
_PROGRESS_LINE = re.compile(r"^\s*vraag\s+\d+\s+van\s+\d+\s*$", re.IGNORECASE)


def texts() -> Mapping[str, Any]:
    """Return the parsed ``results`` content (cached by the content store)."""
    content: Mapping[str, Any] = load_content("results")
    return content


def words(*path: str) -> str:
    """Return one text from the results content, stripped (``words("depth", "intro")``)."""
    node: Any = texts()
    for key in path:
        node = node[key]
    return str(node).strip()


def question_items() -> List[Mapping[str, Any]]:
    """Return the question entries of ``questions.yml`` (a list, or under ``questions``)."""
    raw = load_content("questions")
    items = raw.get("questions", []) if isinstance(raw, Mapping) else raw
    return [item for item in items if isinstance(item, Mapping) and "id" in item]


def question_ids() -> List[str]:
    """Return the ids of all questions; the answer slots carry these names."""
    return [str(item["id"]) for item in question_items()]


@lru_cache(maxsize=1)
def specs() -> Tuple[QuestionSpec, ...]:
    """Return the scoring specs of the questions (built once)."""
    return tuple(load_specs(question_items()))


def scored_ids() -> List[str]:
    """Ids of the numbered questions (everything but the relationship context)."""
    return [spec.id for spec in specs() if spec.dimension != "context"]


def question_number(question_id: str) -> Optional[int]:
    """The number a question is asked with ("Vraag 3 van 16"), or None."""
    ids = scored_ids()
    return ids.index(question_id) + 1 if question_id in ids else None


def question_for_number(number: int) -> Optional[str]:
    """The question id asked as "Vraag ``number``", or None."""
    ids = scored_ids()
    return ids[number - 1] if 1 <= number <= len(ids) else None


def style_name(style: str) -> str:
    """Return the Dutch name of a style code (``anxious`` -> angstig-vastklampend)."""
    return str(texts()["style_names"][style])


def style_adjective(style: str) -> str:
    """Return the Dutch adjective for "de ... stijl"."""
    return str(texts()["style_adjectives"][style])


def _by_context(section: str, context: str) -> str:
    """One entry of a per-context table, the general one for an unknown context."""
    table: Mapping[str, str] = texts()[section]
    return str(table.get(context, table[GENERAL_CONTEXT]))


def context_name(context: str) -> str:
    """Return how a relationship context reads in a sentence ("je partner")."""
    return _by_context("context_names", context)


def context_label(context: str) -> str:
    """Return the short label of a relationship context ("partner")."""
    return _by_context("context_labels", context)


def context_intro(context: str) -> str:
    """Return how a result for this relationship opens ("Met je partner in gedachten")."""
    return _by_context("context_intros", context)


def context_note(context: str, outcome: str) -> str:
    """Sentences a result adds for this relationship and outcome ("" when none)."""
    notes: Mapping[str, Mapping[str, str]] = texts().get("context_notes") or {}
    return str((notes.get(context) or {}).get(outcome) or "").strip()


def axis_name(axis: str) -> str:
    """How an axis is named in a sentence ("je beeld van jezelf")."""
    return str(texts()["axis_names"][axis]).strip()


def short_question(question_id: str) -> str:
    """Return a question in a few words: its short form, else its question line.

    Questions are written as a situation line followed by the question itself;
    without a short form the last line is used, cut at a word boundary when long.
    """
    shorts: Mapping[str, Any] = texts().get("question_shorts") or {}
    if shorts.get(question_id):
        return str(shorts[question_id]).strip()
    item = next((i for i in question_items() if str(i["id"]) == question_id), {})
    lines = [
        line.strip()
        for line in str(item.get("text", "")).splitlines()
        if line.strip() and not _PROGRESS_LINE.match(line)
    ]
    text = " ".join(lines[-1].split()) if lines else question_id
    if len(text) <= SHORT_QUESTION_CHARS:
        return text
    cut = text[:SHORT_QUESTION_CHARS].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def answer_label(value: Any) -> Optional[str]:
    """Return the scale word of an answer 1..5 ("vaak"), or None when unknown."""
    scale: Mapping[Any, Any] = load_content("answer_scale").get("scale", {})
    entry = scale.get(value) if isinstance(value, int) else None
    return str(entry["label"]).lower() if isinstance(entry, Mapping) else None


def format_words(template: str, **values: Any) -> str:
    """Fill a content template and strip it."""
    return str(template).format(**values).strip()


def axis_state(record: Mapping[str, Any], axis: str) -> Optional[str]:
    """An axis as presented: its level, or ``scattered``.

    ``scattered`` is an undecided axis whose answers do not hang together (not
    one whose answers sit in the middle).
    """
    level = record.get(f"{axis}_level")
    if not isinstance(level, str) or level not in LEVELS:
        return None
    return "scattered" if record.get(f"{axis}_scattered") else str(level)


def level_sentences(record: Mapping[str, Any]) -> List[str]:
    """One plain sentence per axis for its state (none for an unknown level)."""
    levels: Dict[str, Mapping[str, str]] = texts()["levels"]
    found = []
    for axis in ("self", "other"):
        state = axis_state(record, axis)
        if state is not None and state in levels[axis]:
            found.append(str(levels[axis][state]).strip())
    return found
