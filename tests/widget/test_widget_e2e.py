"""End to end: the real bot, the demo page at /chat/, the widget in Chromium.

The stack runs the action server and Rasa with all channels. A person greets, asks a knowledge question, answers every reflective question
with a mix of buttons and typed text, sees the result (style, place on the
continuum, picture), reloads and still sees it all, and types HTML that must
stay text. Screenshots at desktop and phone width go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, List, Optional, Tuple

import pytest

from actions.results.content import specs
from bot.channels.identity import SessionSigner, web_sender_id
from tests.widget.chat_page import BOT_BUBBLE, STORAGE_KEY_PREFIX, ChatPage
from tests.widget.conftest import DESKTOP, PHONE, PageProbe, screenshot
from testsupport.services import TEST_SESSION_SECRET

pytestmark = [pytest.mark.stack, pytest.mark.browser, pytest.mark.slow]

XSS = "<img src=x onerror=alert(1)>"
PROGRESS = re.compile(r"^\s*Vraag (\d+) van (\d+)")
QUESTION_ID = re.compile(r'"question_id":\s*"q(\d+)"')
# A consistent anxious person: worried about the self, trusting the other; the
# continuum in the middle. Answers alternate between buttons and typed words.
LABELS = {1: "Nooit", 2: "Zelden", 3: "Soms", 4: "Vaak", 5: "Bijna altijd"}
TYPED = {
    1: ["nooit", "echt nooit"],
    2: ["zelden", "niet vaak"],
    3: ["soms", "af en toe"],
    4: ["vaak", "meestal wel"],
    5: ["bijna altijd", "altijd"],
}


def anxious_answer(number: int) -> int:
    """The answer 1..5 this person gives to question ``number``."""
    spec = next(s for s in specs() if s.id == f"q{number:02d}")
    if spec.dimension == "continuum":
        return 4 if spec.keyed == "+" else 3
    worried = spec.dimension == "self"
    high = 5 if number % 3 else 4
    low = 1 if number % 3 else 2
    return high if worried == (spec.keyed == "+") else low


SIGNER = SessionSigner(TEST_SESSION_SECRET.encode())


def user_events(stack: Any, sender_id: str) -> int:
    """How many user messages the tracker store holds for ``sender_id``."""
    import sqlite3

    with sqlite3.connect(stack.db_path) as db:
        return int(
            db.execute(
                "select count(*) from events where sender_id = ? and type_name = 'user'",
                (sender_id,),
            ).fetchone()[0]
        )


def latest_question(texts: List[str]) -> Optional[Tuple[int, int]]:
    """The last 'Vraag N van M' among ``texts``."""
    for text in reversed(texts):
        match = PROGRESS.match(text)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def pending_question(choices: List[dict[str, str]]) -> Optional[int]:
    """The number of the question the open answer buttons belong to, if any."""
    for choice in choices:
        match = QUESTION_ID.search(choice["payload"])
        if choice["payload"].startswith("/answer_question") and match:
            return int(match.group(1))
    return None


def test_widget_end_to_end(
    stack: Any, widget_bundle: Any, open_page: Callable[..., PageProbe]
) -> None:
    probe = open_page(DESKTOP)
    chat = ChatPage(probe.page, timeout_ms=90_000).goto(f"{stack.base_url}/chat/")
    chat.open()

    greeting = chat.say("hallo")
    assert any("Hechtwijzer" in t for t in greeting), greeting
    # The widget keeps the id the server signed; the server keeps web:<token>.
    token = SIGNER.verify(chat.session_id())
    assert token is not None
    assert user_events(stack, web_sender_id(token)) == 1

    answer = chat.say("kan ik meerdere hechtingsstijlen hebben?")
    assert any("stijl" in t.lower() for t in answer), answer

    # Start the questions: first the relationship question (buttons, no number).
    context = chat.say("ik wil de vragen doen")
    assert latest_question(context) is None, context
    titles = [c["title"] for c in chat.open_choices()]
    assert "Mijn partner" in titles, titles
    new = chat.press("Mijn partner")

    typed = pressed = 0
    asked: List[int] = []
    total = 0
    for step in range(60):
        pending = pending_question(chat.open_choices())
        if pending is None:
            break
        question = latest_question(new)
        if question is not None:
            number, total = question
            assert number == pending, (number, pending, new)
            assert (
                chat.page.locator(".hw-progress-text").inner_text()
                == f"Vraag {number} van {total}"
            )
            bar = chat.page.locator(".hw-progress")
            assert bar.get_attribute("aria-valuenow") == str(number)
        asked.append(pending)
        repeated = len(asked) > 1 and asked[-2] == pending
        value = anxious_answer(pending)
        if step % 2 == 0 or repeated:
            new = chat.press(LABELS[value])
            pressed += 1
        else:
            new = chat.say(TYPED[value][step % 2])
            typed += 1
    else:
        pytest.fail(f"the questions did not end: {asked}")

    assert sorted(set(asked)) == list(range(1, total + 1)), asked
    assert pressed >= 5 and typed >= 5, (pressed, typed)

    # The result: a short headline with the style, the picture, follow-up buttons.
    image = chat.page.locator("img.hw-image").last
    image.wait_for(timeout=90_000)
    chat.settle()
    result = "\n".join(chat.bot_texts()[-4:])
    assert "angstig-vastklampende" in result, result
    titles = [c["title"] for c in chat.open_choices()]
    assert "Zit het diep?" in titles and "Samenvatting" in titles, titles
    depth = "\n".join(chat.press("Zit het diep?"))
    # the continuum, as the article author's clinical view
    assert "artikel" in depth, depth
    assert chat.page.evaluate(
        "(img) => img.complete && img.naturalWidth > 100", image.element_handle()
    )
    assert not chat.page.locator(".hw-progress").is_visible()
    image.scroll_into_view_if_needed()
    screenshot(chat.page, "e2e-desktop-result")

    # Reload: the whole conversation is still there, picture included.
    bots, users = chat.bot_texts(), chat.user_texts()
    chat.page.reload()
    chat.page.locator(BOT_BUBBLE).last.wait_for()
    chat.page.locator("img.hw-image").last.wait_for()
    assert chat.bot_texts() == bots
    assert chat.user_texts() == users

    # HTML typed by the person is shown as text; no dialog fires.
    chat.say(XSS)
    assert chat.user_texts()[-1] == XSS
    assert chat.injected_images() == 0
    assert probe.dialogs == []
    assert probe.errors == []

    screenshot(chat.page, "e2e-desktop-after-reload")
    chat.page.set_viewport_size(PHONE)
    chat.page.wait_for_timeout(300)
    box = chat.page.locator(".hw-panel").bounding_box()
    assert box is not None and box["width"] == PHONE["width"]
    chat.page.locator("img.hw-image").last.scroll_into_view_if_needed()
    screenshot(chat.page, "e2e-phone-result")
    chat.page.locator(BOT_BUBBLE).last.scroll_into_view_if_needed()
    screenshot(chat.page, "e2e-phone")


def test_widget_with_a_forged_session_id_gets_a_fresh_session(
    stack: Any, widget_bundle: Any, open_page: Callable[..., PageProbe]
) -> None:
    """A session id the server did not sign gets a fresh session.

    Here: someone else's token with a made-up signature. The other conversation is
    not touched.
    """
    victim = SIGNER.issue()
    victim_token = SIGNER.verify(victim)
    assert victim_token is not None
    forged = f"{victim_token}.{'A' * 43}"
    probe = open_page(DESKTOP)
    chat = ChatPage(probe.page, timeout_ms=90_000).goto(f"{stack.base_url}/chat/")
    chat.session_id()
    chat.page.evaluate(
        """([prefix, forged]) => {
             for (let i = 0; i < localStorage.length; i++) {
               const k = localStorage.key(i);
               if (!k.startsWith(prefix)) continue;
               const record = JSON.parse(localStorage.getItem(k));
               record.sessionId = forged;
               localStorage.setItem(k, JSON.stringify(record));
             }
           }""",
        [STORAGE_KEY_PREFIX, forged],
    )
    assert chat.stored()["sessionId"] == forged
    chat.page.reload()
    chat.open()
    assert any("Hechtwijzer" in t for t in chat.say("hallo"))
    session = chat.session_id()
    assert session != forged
    token = SIGNER.verify(session)
    assert token is not None and token != victim_token
    assert user_events(stack, web_sender_id(token)) == 1
    assert user_events(stack, web_sender_id(victim_token)) == 0
    assert probe.errors == []


def test_closed_websockets_leave_no_traceback_in_the_log(
    stack: Any, widget_bundle: Any, open_page: Callable[..., PageProbe]
) -> None:
    """The real server logs nothing alarming when a widget's websocket closes."""
    probe = open_page(DESKTOP)
    sockets: List[str] = []
    probe.page.on("websocket", lambda ws: sockets.append(ws.url))
    chat = ChatPage(probe.page, timeout_ms=90_000).goto(f"{stack.base_url}/chat/")
    chat.session_id()
    assert any("/socket.io/" in url for url in sockets), sockets
    probe.page.close()  # the browser closes the websocket
    time.sleep(2)
    log = stack.log_path("rasa").read_text(errors="replace")
    assert "Invalid response type" not in log
