"""Deleting through Telegram, on the real bot: the words say what is and isn't deleted.

The bot deletes what it stored; Telegram keeps the chat on the person's devices and
on its servers, and the bot does not delete its messages there (see SECURITY.md).
Both the question and the confirmation say so; "gewist" comes only after the rows
are gone.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any, List

import pytest
import yaml

from bot.channels.telegram import to_telegram_html
from tests.bot.test_telegram import StackChat, has_button
from testsupport.fake_telegram import FakeTelegram, command_update, text_update

SAFETY = Path(__file__).resolve().parents[2] / "domain" / "safety.yml"


def texts(name: str, telegram: bool) -> List[str]:
    """A response's Telegram (or default) variants, as the channel sends them."""
    variants = yaml.safe_load(SAFETY.read_text(encoding="utf-8"))["responses"][name]
    return [
        to_telegram_html(v["text"].strip())
        for v in variants
        if (v.get("channel") == "telegram") == telegram
    ]


@pytest.fixture()
def fake(fake_telegram: FakeTelegram) -> FakeTelegram:
    """The run's fake Bot API server, emptied for this test."""
    fake_telegram.reset()
    return fake_telegram


def rows_with(stack: Any, marker: str) -> int:
    with sqlite3.connect(stack.db_path) as db:
        return int(
            db.execute(
                "SELECT COUNT(*) FROM events WHERE data LIKE ?", (f"%{marker}%",)
            ).fetchone()[0]
        )


@pytest.mark.stack
def test_telegram_says_what_stays_in_telegram(stack: Any, fake: FakeTelegram) -> None:
    chat = StackChat(stack, fake)
    marker = f"paddestoel{uuid.uuid4().hex[:8]}"
    assert chat.post(text_update(chat.uid(), chat.chat_id, f"wat is {marker}?")) == 200
    chat.fake.wait_for(lambda _: rows_with(stack, marker) > 0, timeout=90)
    assert chat.post(command_update(chat.uid(), chat.chat_id, "/verwijder")) == 200
    question = chat.wait_for_message(has_button("/confirm_delete_data"))
    assert question.params["text"] in texts("utter_ask_delete_data", telegram=True)
    assert "blijft in Telegram" in question.params["text"]
    chat.press("/confirm_delete_data")
    done = chat.wait_for_message(lambda m: "gewist" in m.params.get("text", ""))
    assert done.params["text"] in texts("utter_data_deleted", telegram=True)
    assert done.params["text"] not in texts("utter_data_deleted", telegram=False)
    assert "staat nog in Telegram" in done.params["text"]
    assert rows_with(stack, marker) == 0
