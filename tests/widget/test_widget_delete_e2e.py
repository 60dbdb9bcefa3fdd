"""End to end: "Nieuw gesprek" deletes the old conversation on the real bot.

The widget on the running stack's demo page, in Chromium: a person says something
with a marker word in it, presses "Nieuw gesprek" and chooses to delete. The bot is
asked and its own "yes" button pressed; the server deletes under the lock and only
then tells the widget, which starts afresh. Afterwards the marker word is in no row
and in no file of the SQLite tracker store.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Callable

import pytest

from tests.widget.chat_page import ChatPage, wait_js
from tests.widget.conftest import DESKTOP, PageProbe

pytestmark = [pytest.mark.stack, pytest.mark.browser, pytest.mark.slow]


def rows_with(stack: Any, marker: str) -> int:
    with sqlite3.connect(stack.db_path) as db:
        return int(
            db.execute(
                "SELECT COUNT(*) FROM events WHERE data LIKE ?", (f"%{marker}%",)
            ).fetchone()[0]
        )


def file_bytes(stack: Any) -> bytes:
    folder = stack.db_path.parent
    return b"".join(
        p.read_bytes() for p in sorted(folder.glob(stack.db_path.name + "*"))
    )


def test_new_conversation_deletes_the_old_one_on_the_server(
    stack: Any, widget_bundle: Any, open_page: Callable[..., PageProbe]
) -> None:
    marker = f"vlinderdas{uuid.uuid4().hex[:8]}"
    probe = open_page(DESKTOP)
    chat = ChatPage(probe.page, timeout_ms=60_000).goto(f"{stack.base_url}/chat/")
    chat.open()
    chat.say("hoi")
    chat.say(f"wat is een {marker} eigenlijk?")
    old = chat.session_id()
    assert rows_with(stack, marker) >= 1
    probe.page.locator(".hw-new").click()
    probe.page.locator(".hw-confirm-delete").click()
    wait_js(
        probe.page,
        "(old) => !JSON.stringify(localStorage).includes(old)",
        old,
        90_000,
    )
    assert chat.user_texts() == []
    assert any("gewist" in t for t in chat.bot_texts())
    assert rows_with(stack, marker) == 0
    assert marker.encode() not in file_bytes(stack)
    new = chat.session_id()
    assert new and new != old
    assert chat.say("hoi")  # the new conversation works
    assert rows_with(stack, marker) == 0
