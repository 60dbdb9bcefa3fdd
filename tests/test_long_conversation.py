"""A long conversation behaves the same with conversation segments as without.

Two real stacks: one starts a new segment every 30 events (many times in this
conversation), the other never. The same person says the same things to both;
the bot must offer the same buttons and the same question numbers at every turn
(reply texts can differ where a response has several wordings).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from testsupport.stack import start_stack

pytestmark = [pytest.mark.stack, pytest.mark.slow]

PROGRESS = re.compile(r"Vraag (\d+) van (\d+)")
OPENING = ["hoi", "wat is hechting?", "ik wil de vragen doen"]
BETWEEN = {8: "kan ik meerdere hechtingsstijlen hebben?", 14: "waarom vraag je dit?"}
TURNS = 70


def shape(replies: List[Dict[str, Any]]) -> Tuple[Any, ...]:
    """What must not differ: buttons offered and question numbers."""
    buttons = tuple(
        tuple(str(b.get("payload")) for b in reply.get("buttons") or [])
        for reply in replies
    )
    numbers = tuple(PROGRESS.findall(" ".join(r.get("text") or "" for r in replies)))
    return buttons, numbers


def next_message(turn: int, last: List[Dict[str, Any]]) -> str:
    """Greet, ask, do the questions by buttons (varying), ask in between, repeat."""
    step = turn % 35
    if step < len(OPENING):
        return OPENING[step]
    if step in BETWEEN:
        return BETWEEN[step]
    for reply in reversed(last):
        buttons = reply.get("buttons") or []
        if buttons:
            return str(buttons[turn % len(buttons)]["payload"])
    return "wat betekent verdiende veilige hechting?"


def converse(stack: Any) -> List[Tuple[Any, ...]]:
    """The whole conversation; the shape of every reply."""
    shapes, last = [], []  # type: ignore[var-annotated]
    for turn in range(TURNS):
        last = stack.post("lang", next_message(turn, last))
        assert last, f"no reply at turn {turn}"
        shapes.append(shape(last))
    return shapes


def test_segments_change_nothing_the_person_sees(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shapes, databases = {}, {}
    for name, events in (("seg", "30"), ("whole", "0")):
        stack = start_stack(
            trained_model, tmp_path_factory.mktemp(name), {"HW_SEGMENT_EVENTS": events}
        )
        try:
            shapes[name] = converse(stack)
        finally:
            stack.stop()
        databases[name] = stack.db_path
    with_segments, without = shapes["seg"], shapes["whole"]
    assert with_segments == without
    # Segments really were started, and the stored originals are the whole talk.
    with sqlite3.connect(databases["seg"]) as db:
        rows = [json.loads(r[0]) for r in db.execute("select data from events")]
    copies = [r for r in rows if (r.get("metadata") or {}).get("hw_segment_copy")]
    sessions = [r for r in rows if r["event"] == "session_started"]
    assert len(sessions) >= 5 and copies
    originals = [r for r in rows if r["event"] == "user" and r not in copies]
    assert len(originals) == TURNS
