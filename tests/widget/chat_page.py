"""Page object for the widget: what a person does and sees, in Playwright terms.

Playwright's CSS locators pierce open shadow roots, so the selectors below reach
into the widget's shadow root and into deep-chat's.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List

LAUNCHER = ".hw-launcher"
PANEL = ".hw-panel"
INPUT = "#text-input"
BOT_BUBBLE = ".message-bubble.ai-message:not(.deep-chat-loading-message-bubble)"
USER_BUBBLE = ".message-bubble.user-message"
OPEN_CHOICES = "button.hw-choice:not([disabled])"
STORAGE_KEY_PREFIX = "hechtwijzer:"


def wait_js(page: Any, script: str, arg: Any = None, timeout_ms: float = 30_000) -> Any:
    """Poll ``script`` (a JS function) with page.evaluate until it returns truthy.

    Playwright's wait_for_function compiles its predicate inside the page, which
    the demo page's Content-Security-Policy (no unsafe-eval) forbids; evaluate()
    runs through the debugger protocol and is not affected.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {script}")
        page.wait_for_timeout(100)


class ChatPage:
    """One page with the widget on it."""

    def __init__(self, page: Any, timeout_ms: float = 30_000) -> None:
        """Wrap a Playwright page."""
        self.page = page
        self.timeout_ms = timeout_ms

    def goto(self, url: str) -> ChatPage:
        """Open ``url`` and wait until the widget is mounted."""
        self.page.goto(url)
        self.page.locator(LAUNCHER).wait_for(timeout=self.timeout_ms)
        return self

    def open(self) -> None:
        """Open the panel if it is closed."""
        if not self.page.locator(PANEL).is_visible():
            self.page.locator(LAUNCHER).click()
        self.page.locator(INPUT).wait_for(state="visible", timeout=self.timeout_ms)

    def type(self, text: str) -> None:
        """Type a message and press Enter."""
        box = self.page.locator(INPUT)
        box.click()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def bot_count(self) -> int:
        """How many bot bubbles are shown."""
        return int(self.page.locator(BOT_BUBBLE).count())

    def user_count(self) -> int:
        """How many user bubbles are shown."""
        return int(self.page.locator(USER_BUBBLE).count())

    def wait_bot_after(self, count: int) -> str:
        """Wait until there are more than ``count`` bot bubbles; return the newest text."""
        wait_js(
            self.page,
            """([sel, n]) => {
                 const host = document.querySelector('#hechtwijzer-widget');
                 const chat = host && host.shadowRoot.querySelector('deep-chat');
                 return chat && chat.shadowRoot.querySelectorAll(sel).length > n;
               }""",
            [BOT_BUBBLE, count],
            self.timeout_ms,
        )
        return str(self.page.locator(BOT_BUBBLE).last.inner_text())

    def settle(self, quiet_ms: int = 1200) -> None:
        """Wait until no new bot bubble arrived for ``quiet_ms``."""
        last = -1
        while True:
            now = self.bot_count()
            if now == last:
                return
            last = now
            self.page.wait_for_timeout(quiet_ms)

    def say(self, text: str) -> List[str]:
        """Type ``text``; wait for the bot's answer; return the new bot texts."""
        before = self.bot_count()
        self.type(text)
        self.wait_bot_after(before)
        self.settle()
        return self.bot_texts()[before:]

    def press(self, title: str) -> List[str]:
        """Press the open answer button titled ``title``; return the new bot texts."""
        before = self.bot_count()
        self.page.locator(OPEN_CHOICES, has_text=title).first.click()
        self.wait_bot_after(before)
        self.settle()
        return self.bot_texts()[before:]

    def bot_texts(self) -> List[str]:
        """Texts of all bot bubbles, oldest first."""
        return [str(t) for t in self.page.locator(BOT_BUBBLE).all_inner_texts()]

    def user_texts(self) -> List[str]:
        """Texts of all user bubbles, oldest first."""
        return [str(t) for t in self.page.locator(USER_BUBBLE).all_inner_texts()]

    def open_choices(self) -> List[Dict[str, str]]:
        """Title and payload of every usable answer button."""
        buttons = self.page.locator(OPEN_CHOICES)
        return [
            {
                "title": str(buttons.nth(i).get_attribute("data-title")),
                "payload": str(buttons.nth(i).get_attribute("data-payload")),
            }
            for i in range(buttons.count())
        ]

    def stored(self) -> Dict[str, Any]:
        """The widget's localStorage record (session id, transcript)."""
        raw = self.page.evaluate(
            """(prefix) => {
                 for (let i = 0; i < localStorage.length; i++) {
                   const k = localStorage.key(i);
                   if (k.startsWith(prefix)) return localStorage.getItem(k);
                 }
                 return null;
               }""",
            STORAGE_KEY_PREFIX,
        )
        return dict(json.loads(raw)) if raw else {}

    def session_id(self) -> str:
        """The session id the server confirmed (waits until the widget has one)."""
        wait_js(
            self.page,
            """(prefix) => {
                 for (let i = 0; i < localStorage.length; i++) {
                   const k = localStorage.key(i);
                   if (k.startsWith(prefix))
                     return JSON.parse(localStorage.getItem(k)).sessionId;
                 }
                 return "";
               }""",
            STORAGE_KEY_PREFIX,
            self.timeout_ms,
        )
        return str(self.stored()["sessionId"])

    def live_text(self) -> str:
        """What the aria-live region currently says."""
        return str(self.page.locator(".hw-live").text_content() or "")

    def injected_images(self) -> int:
        """Count <img src="x"> elements anywhere in the widget (must stay 0)."""
        return int(
            self.page.evaluate(
                """() => {
                     const host = document.querySelector('#hechtwijzer-widget');
                     const chat = host.shadowRoot.querySelector('deep-chat');
                     const all = [...document.querySelectorAll('img'),
                                  ...host.shadowRoot.querySelectorAll('img'),
                                  ...chat.shadowRoot.querySelectorAll('img')];
                     return all.filter((img) => img.getAttribute('src') === 'x').length;
                   }"""
            )
        )
