"""How well typed answers to a scale question are read: the pure reading and the real bot.

Run from the project root::

    .venv/bin/python bench/typed_answers.py                 # tests/data/answers/development.tsv
    .venv/bin/python bench/typed_answers.py --heldout       # tests/data/answers/heldout.tsv
    .venv/bin/python bench/typed_answers.py --pure-only     # no bot
    .venv/bin/python bench/typed_answers.py --model models/x.tar.gz

A list has one ``label<TAB>answer`` per line (``#`` starts a comment); the label is
1..5 or ``?`` for "must be asked again". Each answer is read (a) by
``actions.answer_reading`` through the questionnaire's content, and (b) by the
running bot over REST, typed at question 8 of 16: the value stored in the slot is
read from the tracker (HTTP API on loopback), then "terug" goes back to the same
question for the next answer. A few conversations run side by side. Not stored (asked again, another reply such as an
FAQ answer, or skipped) counts as asked again.

Printed per reading: right, asked again, wrong by one step, wrong by more, and the
answers that were not right (for the bot: with the intent its NLU gives the text,
e.g. ``crisis_check`` when the safety screen asked a check-in question instead).
For a ``?`` item, asked again is right and any stored
value is wrong by more.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.questionnaire.content import (  # noqa: E402
    answer_payload,
    load_questionnaire,
)

DEVELOPMENT = ROOT / "tests" / "data" / "answers" / "development.tsv"
HELDOUT = ROOT / "tests" / "data" / "answers" / "heldout.tsv"
ASKED_AT = "q08"
"""The question the answers are typed at (the middle of the questionnaire)."""
NEW_CONVERSATION_EVERY = 60
"""Items per conversation (keeps the tracker short, so turns stay fast)."""
CONVERSATIONS = 3
"""Conversations typing side by side."""
PROGRESS = re.compile(r"^Vraag (\d+) van (\d+)$", re.MULTILINE)

Reading = Callable[[str], int | None]


@dataclass(frozen=True)
class Item:
    """One line of a list: the expected value (None = must be asked again) and the text."""

    expected: int | None
    text: str


@dataclass
class Tally:
    """Counts per outcome and the items that were not right."""

    right: int = 0
    asked_again: int = 0
    off_by_one: int = 0
    off_by_more: int = 0
    misses: list[tuple[Item, int | None]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    """Answer text -> what else happened (the intent the bot saw), for misses."""

    def add(self, item: Item, got: int | None) -> None:
        """Count one reading."""
        if got == item.expected:
            self.right += 1
            return
        self.misses.append((item, got))
        if got is None:
            self.asked_again += 1
        elif item.expected is not None and abs(got - item.expected) == 1:
            self.off_by_one += 1
        else:
            self.off_by_more += 1

    def report(self, title: str) -> str:
        """The figures and the items that were not right."""
        total = self.right + self.asked_again + self.off_by_one + self.off_by_more
        share = 100 * self.right / total if total else 0.0
        lines = [
            f"{title}: {total} answers: right {self.right} ({share:.1f}%), "
            f"asked again {self.asked_again}, wrong by one step {self.off_by_one}, "
            f"wrong by more {self.off_by_more}"
        ]
        for item, got in sorted(
            self.misses, key=lambda m: (m[1] is None, str(m[0].expected))
        ):
            expected = "?" if item.expected is None else item.expected
            shown = "asked again" if got is None else got
            note = f" [{self.notes[item.text]}]" if item.text in self.notes else ""
            lines.append(f"  expected {expected}, got {shown}: {item.text}{note}")
        return "\n".join(lines)


def load_items(path: Path) -> list[Item]:
    """The items of a ``label<TAB>answer`` list."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        label = label.strip()
        items.append(Item(None if label == "?" else int(label), text))
    return items


def pure_reading() -> Reading:
    """The reading the form uses for a scale question, without Rasa."""
    questionnaire = load_questionnaire()
    question = questionnaire.question(ASKED_AT)
    assert question is not None

    def read(text: str) -> int | None:
        value = questionnaire.read_free_text(question, text)
        return None if value is None else int(value)

    return read


def evaluate(items: Sequence[Item], read: Reading) -> Tally:
    """Read every item and count the outcomes."""
    tally = Tally()
    for item in items:
        tally.add(item, read(item.text))
    return tally


# --- the real bot ----------------------------------------------------------------


class BotConversation:
    """One conversation with the running bot, kept at question ``ASKED_AT``."""

    def __init__(self, base: str, api_token: str) -> None:
        self.base = base
        self.api_token = api_token
        self.sender = ""
        self.used = 0

    def post(self, message: str) -> list[dict[str, Any]]:
        """One message through the REST channel."""
        request = urllib.request.Request(
            f"{self.base}/webhooks/rest/webhook",
            data=json.dumps({"sender": self.sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as resp:
            return list(json.loads(resp.read().decode()))

    def intent(self, text: str) -> str:
        """The intent the bot's NLU gives ``text`` on its own (HTTP API)."""
        request = urllib.request.Request(
            f"{self.base}/model/parse?token={self.api_token}",
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            return str(json.loads(resp.read().decode())["intent"]["name"])

    def slot(self, name: str) -> Any:
        """A slot's value from the tracker (HTTP API)."""
        conversation = urllib.parse.quote(self.sender, safe=":")
        url = (
            f"{self.base}/conversations/{conversation}/tracker"
            f"?token={self.api_token}&include_events=NONE"
        )
        with urllib.request.urlopen(url, timeout=60) as resp:
            return json.loads(resp.read().decode())["slots"].get(name)

    def start(self) -> None:
        """A new conversation that answered everything before ``ASKED_AT`` by button."""
        self.sender = f"rest:typed-{uuid.uuid4().hex[:10]}"
        self.used = 0
        self.post("hoi")
        self.post("/start_questionnaire")
        questionnaire = load_questionnaire()
        self.post(answer_payload("relationship_context", "partner"))
        for question in questionnaire.questions[1:]:
            if question.id == ASKED_AT:
                break
            replies = self.post(answer_payload(question.id, "3"))
        if asked_number(replies) != number_of(ASKED_AT):
            raise RuntimeError(f"not at {ASKED_AT}: {replies}")

    def read(self, text: str) -> int | None:
        """Type ``text`` at ``ASKED_AT``; the stored value, or None when not stored."""
        if not self.sender or self.used >= NEW_CONVERSATION_EVERY:
            self.start()
        self.used += 1
        replies = self.post(text)
        stored = self.slot(ASKED_AT)
        if stored is None and asked_number(replies) == number_of(ASKED_AT):
            return None
        # stored, skipped, or the conversation left the question: get back to it
        if asked_number(replies) == number_of(ASKED_AT) + 1:
            back = self.post("terug")
            if asked_number(back) == number_of(ASKED_AT):
                return stored if isinstance(stored, int) else None
        self.start()
        return stored if isinstance(stored, int) else None


def number_of(question_id: str) -> int:
    """The progress number of a scored question ("q08" -> 8)."""
    return int(question_id[1:])


def asked_number(replies: list[dict[str, Any]]) -> int | None:
    """The number of the question the replies ask, if any."""
    numbers = [
        int(m.group(1)) for r in replies for m in PROGRESS.finditer(r.get("text") or "")
    ]
    return numbers[-1] if numbers else None


def latest_model() -> Path:
    """The newest trained model."""
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("no trained model: run ./hw train")
    return models[-1]


def bot_tally(items: Sequence[Item], model: Path) -> tuple[Tally, float]:
    """Run the items through a freshly started bot; the tally and seconds per item."""
    from bench.harness import start_hechtwijzer

    token = secrets.token_hex(24)
    with tempfile.TemporaryDirectory(prefix="hw-typed-") as workdir:
        bot = start_hechtwijzer(
            model, Path(workdir), {"HW_ENABLE_API": "1", "HW_API_TOKEN": token}
        )
        try:
            started = time.monotonic()
            slices = [list(items[i::CONVERSATIONS]) for i in range(CONVERSATIONS)]
            with ThreadPoolExecutor(CONVERSATIONS) as pool:
                readings = list(
                    pool.map(
                        lambda part: [
                            (item, reader.read(item.text))
                            for reader in [BotConversation(bot.base, token)]
                            for item in part
                        ],
                        slices,
                    )
                )
            per_item = (time.monotonic() - started) / max(len(items), 1)
            tally = Tally()
            for part in readings:
                for item, got in part:
                    tally.add(item, got)
            parser = BotConversation(bot.base, token)
            for item, _ in tally.misses:
                tally.notes[item.text] = parser.intent(item.text)
        finally:
            bot.stop()
    return tally, per_item


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures for the chosen list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", nargs="?", type=Path, default=None)
    parser.add_argument("--heldout", action="store_true", help=f"use {HELDOUT}")
    parser.add_argument("--pure-only", action="store_true", help="skip the bot")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args(argv)
    path = args.tsv or (HELDOUT if args.heldout else DEVELOPMENT)
    items = load_items(path)
    print(f"list: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(evaluate(items, pure_reading()).report("pure reading"))
    if args.pure_only:
        return 0
    model = args.model or latest_model()
    tally, per_item = bot_tally(items, model)
    print(tally.report(f"bot over REST at {ASKED_AT} ({model.name})"))
    print(
        f"  {per_item * 1000:.0f} ms per answer, {CONVERSATIONS} conversations "
        "side by side (typing, reading the slot, going back)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
