"""The result as a conversation in the widget (real bot, Chromium), with screenshots.

Desktop (1280x800) and phone (390x844) screenshots of the short headline, a
follow-up, the rated self-check and a mixed result go to artifacts/screenshots/.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

import pytest

from actions.results.content import specs, words
from tests.widget.chat_page import BOT_BUBBLE, ChatPage
from tests.widget.conftest import DESKTOP, PageProbe, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser, pytest.mark.slow]

PHONE_TALL = {"width": 390, "height": 844}
LABELS = {1: "Nooit", 2: "Zelden", 3: "Soms", 4: "Vaak", 5: "Bijna altijd"}


def anxious_answers() -> Dict[str, int]:
    """Answers at the anxious extreme, continuum answers in the middle."""
    answers: Dict[str, int] = {}
    for spec in specs():
        if spec.dimension == "continuum":
            answers[spec.id] = 4 if spec.keyed == "+" else 2
        elif spec.dimension in ("self", "other"):
            high = spec.dimension == "self"
            answers[spec.id] = 5 if high == (spec.keyed == "+") else 1
    return answers


def answer_all(chat: ChatPage, answers: Dict[str, int]) -> None:
    """Start the questions and press every answer by its title."""
    chat.say("ik wil de vragen doen")
    chat.press("Mijn partner")
    for spec in specs():
        if spec.dimension != "context":
            chat.press(LABELS[answers[spec.id]])


def show_bubble(chat: ChatPage, text: str) -> None:
    """Scroll the bot bubble holding ``text`` into view."""
    chat.page.locator(BOT_BUBBLE, has_text=text).last.scroll_into_view_if_needed()
    chat.page.wait_for_timeout(300)


def test_widget_result_flow_with_screenshots(
    stack: Any, widget_bundle: Any, open_page: Callable[..., PageProbe]
) -> None:
    probe = open_page(DESKTOP)
    chat = ChatPage(probe.page, timeout_ms=90_000).goto(f"{stack.base_url}/chat/")
    chat.open()
    answer_all(chat, anxious_answers())

    chat.page.locator("img.hw-image").last.wait_for()
    titles = [c["title"] for c in chat.open_choices()]
    assert words("follow_ups", "titles", "stress") in titles, titles
    assert words("headline", "offer") in chat.bot_texts()[-1]
    show_bubble(chat, "Met je partner")
    screenshot(chat.page, "result-desktop-headline")

    reply = chat.press(words("follow_ups", "titles", "stress"))
    assert len(reply) == 1 and reply[0].startswith("Bij stress")
    screenshot(chat.page, "result-desktop-follow-up")

    chat.press(words("follow_ups", "titles", "self_check"))
    for rating in ("2", "1", "7", "3"):
        chat.press(rating)
    assert "dezelfde kant op" in "\n".join(chat.bot_texts()[-2:])
    screenshot(chat.page, "result-desktop-self-check")

    chat.page.set_viewport_size(PHONE_TALL)
    chat.page.wait_for_timeout(300)
    show_bubble(chat, "Met je partner")
    screenshot(chat.page, "result-phone-headline")
    chat.page.locator(BOT_BUBBLE).last.scroll_into_view_if_needed()
    screenshot(chat.page, "result-phone-self-check")
    assert probe.errors == []


def test_widget_mixed_result_on_a_phone(
    stack: Any, widget_bundle: Any, open_page: Callable[..., PageProbe]
) -> None:
    probe = open_page(PHONE_TALL)
    chat = ChatPage(probe.page, timeout_ms=90_000).goto(f"{stack.base_url}/chat/")
    chat.open()
    answers = {**anxious_answers(), "q03": 5, "q09": 5}
    answer_all(chat, answers)
    chat.settle()
    titles = [c["title"] for c in chat.open_choices()]
    assert "Vraag 3 nog eens" in titles, titles
    screenshot(chat.page, "result-phone-mixed")
    again = chat.press("Vraag 3 nog eens")
    assert any(t.startswith("Vraag 3 van") for t in again), again
    chat.press("Nooit")
    chat.page.locator("img.hw-image").last.wait_for()
    screenshot(chat.page, "result-phone-after-revisit")
    assert probe.errors == []


def test_widget_same_answer_everywhere_offers_a_fresh_start(
    stack: Any, widget_bundle: Any, open_page: Callable[..., PageProbe]
) -> None:
    probe = open_page(PHONE_TALL)
    chat = ChatPage(probe.page, timeout_ms=90_000).goto(f"{stack.base_url}/chat/")
    chat.open()
    answer_all(chat, {spec.id: 4 for spec in specs()})
    chat.settle()
    titles = [c["title"] for c in chat.open_choices()]
    restart = words("follow_ups", "titles", "restart")
    assert restart in titles, titles
    assert not any(t.endswith("nog eens") for t in titles), titles
    screenshot(chat.page, "result-phone-same-answers")
    again = chat.press(restart)
    assert any("aan welke relatie denk je" in t for t in again), again
    assert probe.errors == []
