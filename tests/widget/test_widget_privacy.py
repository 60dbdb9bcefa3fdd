"""The widget's privacy duties in headless Chromium, against the scripted server.

- "Nieuw gesprek" asks whether the old conversation should be deleted; "ja" deletes
  it through the same path as the bot's own question (ask, confirm), and the window
  starts afresh only once the server said it is gone; a failed delete keeps it;
  "nee" keeps it on the server; "annuleer" changes nothing.
- The browser copy expires on a timer after the retention period, and is cleared
  when the server answers with a new session instead of the stored one.
"""

from __future__ import annotations

from typing import Any, Callable, List

import pytest

from tests.widget.chat_page import ChatPage, wait_js
from tests.widget.conftest import DESKTOP, FakeRasa, PageProbe

pytestmark = pytest.mark.browser

DAY_MS = 24 * 60 * 60 * 1000


def start_chat(
    open_page: Callable[..., PageProbe], server: FakeRasa, clock: bool = False
) -> tuple[PageProbe, ChatPage]:
    probe = open_page(DESKTOP)
    if clock:
        probe.page.clock.install()
    chat = ChatPage(probe.page).goto(f"{server.url}/chat/")
    chat.open()
    return probe, chat


def session_of(chat: ChatPage) -> str:
    """The session id in the widget's storage, once there is one."""
    wait_js(
        chat.page,
        """() => Object.keys(localStorage).some((k) => k.startsWith('hechtwijzer:')
                 && JSON.parse(localStorage.getItem(k)).sessionId)""",
    )
    return str(chat.stored()["sessionId"])


def days(probe: PageProbe, count: int) -> None:
    """Let ``count`` days pass on the page's clock (timers fire on the way)."""
    for _ in range(count):
        probe.page.clock.fast_forward(DAY_MS)


def texts_from(server: FakeRasa, session: str) -> List[str]:
    return [r["text"] for r in server.received() if r["sender_id"] == session]


def confirm_bar(probe: PageProbe) -> Any:
    return probe.page.locator(".hw-confirm")


def test_new_conversation_asks_and_deletes_the_old_one(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    old = session_of(chat)
    probe.page.locator(".hw-new").click()
    bar = confirm_bar(probe)
    bar.wait_for(state="visible")
    assert "wissen" in bar.inner_text() and "30 dagen" in bar.inner_text()
    assert bar.get_attribute("role") == "alertdialog"
    assert texts_from(fake_rasa, old) == ["hallo"]  # asking deletes nothing yet
    probe.page.locator(".hw-confirm-delete").click()
    # The same path as a person would take: ask, then the bot's own "yes" button.
    wait_js(
        probe.page, "(old) => !JSON.stringify(localStorage).includes(old)", old, 20_000
    )
    assert texts_from(fake_rasa, old) == [
        "hallo",
        "verwijder mijn gegevens",
        "/confirm_delete_data",
    ]
    assert chat.user_texts() == []
    assert any("gewist" in t for t in chat.bot_texts())
    assert not bar.is_visible()
    new = session_of(chat)
    assert new != old
    chat.say("hallo")
    assert texts_from(fake_rasa, new) == ["hallo"]


def test_a_failed_delete_keeps_the_old_conversation(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    fake_rasa.mode(fail_deletes=True)
    try:
        probe, chat = start_chat(open_page, fake_rasa)
        chat.say("hallo")
        old = session_of(chat)
        probe.page.locator(".hw-new").click()
        probe.page.locator(".hw-confirm-delete").click()
        fake_rasa.wait_received("/confirm_delete_data")
        wait_js(
            probe.page,
            """() => document.querySelector('#hechtwijzer-widget').shadowRoot
                     .querySelector('deep-chat').shadowRoot.textContent
                     .includes('niets gewist')""",
        )
        chat.settle()
        assert session_of(chat) == old
        assert "hallo" in chat.user_texts()
        assert any(e.get("text") == "hallo" for e in chat.stored()["entries"])
    finally:
        fake_rasa.mode(fail_deletes=False)


def test_new_conversation_without_deleting_or_not_at_all(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    old = session_of(chat)
    probe.page.locator(".hw-new").click()
    probe.page.locator(".hw-confirm-cancel").click()
    assert not confirm_bar(probe).is_visible()
    assert session_of(chat) == old and chat.user_texts() == ["hallo"]
    probe.page.locator(".hw-new").click()
    probe.page.keyboard.press("Escape")  # closes the question, not the panel
    assert not confirm_bar(probe).is_visible()
    assert probe.page.locator(".hw-panel").is_visible()
    probe.page.locator(".hw-new").click()
    probe.page.locator(".hw-confirm-keep").click()
    wait_js(probe.page, "(old) => !JSON.stringify(localStorage).includes(old)", old)
    assert chat.user_texts() == []
    fresh = session_of(chat)
    assert fresh != old
    assert texts_from(fake_rasa, old) == ["hallo"]  # nothing was deleted
    # Nothing said in the new conversation yet: nothing to ask, it starts at once.
    probe.page.locator(".hw-new").click()
    wait_js(probe.page, "(id) => !JSON.stringify(localStorage).includes(id)", fresh)
    assert not confirm_bar(probe).is_visible()


def test_the_browser_copy_expires_on_a_timer(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    """An open tab: 31 days after the last message the copy is gone by itself."""
    probe, chat = start_chat(open_page, fake_rasa, clock=True)
    chat.say("hallo")
    old = session_of(chat)
    probe.page.locator(".hw-close").click()  # opening/closing is not activity
    days(probe, 29)
    probe.page.locator(".hw-launcher").click()
    probe.page.wait_for_timeout(300)
    assert chat.user_texts() == ["hallo"]  # not yet
    days(probe, 2)
    wait_js(probe.page, "(old) => !JSON.stringify(localStorage).includes(old)", old)
    assert chat.user_texts() == []
    assert any("ouder dan 30 dagen" in t for t in chat.bot_texts())
    assert not any(e.get("text") == "hallo" for e in chat.stored()["entries"])


def test_a_new_session_from_the_server_clears_the_browser_copy(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    """The server no longer has the stored conversation: the copy goes as well."""
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    old = session_of(chat)
    fake_rasa.mode(fresh_sessions=True)
    try:
        chat.page.reload()
        wait_js(probe.page, "(old) => !JSON.stringify(localStorage).includes(old)", old)
        assert session_of(chat) != old
        chat.page.locator(".hw-launcher").wait_for()
        chat.open()
        assert chat.user_texts() == []
        assert any("niet meer op onze server" in t for t in chat.bot_texts())
    finally:
        fake_rasa.mode(fresh_sessions=False)
