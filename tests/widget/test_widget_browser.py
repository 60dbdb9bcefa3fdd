"""The widget in headless Chromium against a scripted server (no model needed).

The server runs Rasa's real socket.io channel and the real /chat/ channel; only
the bot's answers are fixed (see fake_rasa.py). The real bot is tested in
test_widget_e2e.py.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any, Callable

import pytest

from tests.widget.chat_page import BOT_BUBBLE, OPEN_CHOICES, ChatPage, wait_js
from tests.widget.conftest import DESKTOP, PHONE, FakeRasa, PageProbe, screenshot

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def start_chat(
    open_page: Callable[..., PageProbe], server: FakeRasa, viewport: Any = DESKTOP
) -> tuple[PageProbe, ChatPage]:
    probe = open_page(viewport)
    chat = ChatPage(probe.page).goto(f"{server.url}/chat/")
    chat.open()
    return probe, chat


def test_privacy_notice_is_the_first_message(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    first = chat.bot_texts()[0]
    assert "30 dagen" in first and "verwijder mijn gegevens" in first
    session = chat.session_id()
    probe.page.locator("button.hw-action", has_text="Verwijder mijn gegevens").click()
    record = fake_rasa.wait_received("verwijder mijn gegevens")
    assert record["sender_id"] == session


def test_markdown_is_rendered_and_announced(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    bubble = probe.page.locator(BOT_BUBBLE).last
    assert bubble.locator("strong").first.inner_text() == "Hoi!"
    assert bubble.locator("em").first.inner_text() == "testbot"
    assert bubble.locator("li").all_inner_texts() == ["eerste punt", "tweede punt"]
    link = bubble.locator("a")
    assert link.get_attribute("href") == "https://example.org/uitleg"
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "")
    wait_js(
        probe.page,
        "() => document.querySelector('#hechtwijzer-widget').shadowRoot.querySelector('.hw-live').textContent.includes('Hoi!')",
    )
    assert chat.live_text().startswith("Hechtwijzer zegt: Hoi! Ik ben de testbot.")
    assert probe.page.locator(".hw-live").get_attribute("aria-live") == "polite"


def test_buttons_progress_and_result_picture(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    page = probe.page
    chat.say("start vragen")
    bar = page.locator(".hw-progress")
    assert bar.is_visible()
    assert bar.get_attribute("role") == "progressbar"
    assert (bar.get_attribute("aria-valuenow"), bar.get_attribute("aria-valuemax")) == (
        "1",
        "2",
    )
    assert bar.locator(".hw-progress-text").inner_text() == "Vraag 1 van 2"
    question = page.locator(BOT_BUBBLE).last
    assert question.inner_text().startswith("Vraag 1 van 2\nIk zoek snel steun.")
    assert question.locator(".hw-q-fill").get_attribute("style") == "width:50%"
    assert [c["title"] for c in chat.open_choices()] == [
        "Klopt niet",
        "Soms",
        "Klopt helemaal",
    ]

    chat.press("Soms")
    record = fake_rasa.wait_received(
        '/answer_question{"question_id": "q01", "answer_value": "3"}'
    )
    assert record["sender_id"] == chat.session_id()
    pressed = page.locator("button.hw-choice.hw-chosen")
    assert (
        pressed.inner_text() == "Soms"
        and pressed.get_attribute("aria-pressed") == "true"
    )
    assert chat.user_texts()[-1] == "Soms"
    assert (bar.get_attribute("aria-valuenow"), bar.get_attribute("aria-valuemax")) == (
        "2",
        "2",
    )
    # Only question 2's buttons are usable now.
    assert len(chat.open_choices()) == 3
    assert all('"q02"' in c["payload"] for c in chat.open_choices())

    # Typing instead of pressing makes the open buttons stale.
    chat.say("vijf")
    assert chat.open_choices() == []
    assert page.locator("button.hw-choice").count() == 6
    image = page.locator("img.hw-image")
    image.wait_for()
    assert image.get_attribute("alt") == "Afbeelding bij je uitkomst"
    assert (
        page.evaluate(
            "(img) => img.complete && img.naturalWidth", image.element_handle()
        )
        == 40
    )
    assert not bar.is_visible(), "the progress bar goes once the result is shown"
    assert probe.dialogs == [] and probe.errors == []


def test_old_buttons_cannot_be_pressed_again(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("start vragen")
    chat.press("Klopt niet")
    sent = [r for r in fake_rasa.received() if r["sender_id"] == chat.session_id()]
    first_group = probe.page.locator("button.hw-choice").first
    assert first_group.is_disabled()
    first_group.click(force=True)
    probe.page.wait_for_timeout(800)
    again = [r for r in fake_rasa.received() if r["sender_id"] == chat.session_id()]
    assert again == sent


def test_conversation_survives_reload_and_navigation(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    chat.say("start vragen")
    session = chat.session_id()
    bots, users = chat.bot_texts(), chat.user_texts()

    probe.page.locator("a", has_text="Over de Hechtwijzer").first.click()
    probe.page.wait_for_url("**/over.html")
    chat.page.locator(BOT_BUBBLE).last.wait_for()
    assert chat.page.locator(".hw-panel").is_visible(), "an open panel stays open"
    assert chat.bot_texts() == bots and chat.user_texts() == users
    assert chat.page.locator(".hw-progress-text").inner_text() == "Vraag 1 van 2"

    chat.page.reload()
    chat.page.locator(BOT_BUBBLE).last.wait_for()
    assert chat.bot_texts() == bots and chat.user_texts() == users
    assert chat.session_id() == session
    # Buttons of the open question still work after the reload, same session.
    chat.press("Klopt helemaal")
    record = fake_rasa.wait_received(
        '/answer_question{"question_id": "q01", "answer_value": "5"}'
    )
    assert record["sender_id"] == session


def test_new_conversation_starts_a_new_session(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    old = chat.session_id()
    probe.page.locator(".hw-new").click()
    probe.page.locator(".hw-confirm-keep").click()  # asked first: keep the old one
    wait_js(probe.page, "(old) => !JSON.stringify(localStorage).includes(old)", old)
    assert chat.user_texts() == []
    assert len(chat.bot_texts()) == 1 and "30 dagen" in chat.bot_texts()[0]
    new = chat.session_id()
    assert new != old
    chat.say("hallo")
    senders = [r["sender_id"] for r in fake_rasa.received() if r["text"] == "hallo"]
    assert senders.count(new) == 1 and senders.count(old) == 1
    assert all(not r["text"].startswith("/restart") for r in fake_rasa.received())


def test_html_is_shown_as_text_from_user_and_bot(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    answer = chat.say(XSS)
    assert answer[-1] == f"Je zei: {XSS}"
    assert chat.user_texts()[-1] == XSS
    assert chat.injected_images() == 0
    chat.page.reload()
    chat.page.locator(BOT_BUBBLE).last.wait_for()
    chat.page.wait_for_timeout(500)
    assert chat.user_texts()[-1] == XSS and chat.bot_texts()[-1] == f"Je zei: {XSS}"
    assert chat.injected_images() == 0
    assert probe.dialogs == []


def test_offline_notice_and_automatic_reconnect(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    status = probe.page.locator(".hw-status")
    assert not status.is_visible()
    fake_rasa.stop()
    try:
        status.wait_for(state="visible", timeout=20_000)
        assert "geen verbinding" in status.inner_text().lower()
        assert status.get_attribute("role") == "status"
        chat.type("bericht tijdens storing")
        probe.page.wait_for_timeout(500)
        assert chat.user_texts()[-1] == "bericht tijdens storing"
    finally:
        fake_rasa.start()
    status.wait_for(state="hidden", timeout=40_000)
    record = fake_rasa.wait_received("bericht tijdens storing", timeout=20)
    assert record["sender_id"] == chat.session_id()
    wait_js(
        chat.page,
        """() => document.querySelector('#hechtwijzer-widget').shadowRoot
                 .querySelector('deep-chat').shadowRoot.textContent.includes('Je zei: bericht tijdens storing')""",
        None,
        20_000,
    )


def test_delete_marker_wipes_the_browser_copy(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    chat.say("hallo")
    old = chat.session_id()
    chat.type("verwijder mijn gegevens")
    # the bot asks first; the copy goes only after the server's marker
    chat.page.locator(OPEN_CHOICES, has_text="Ja, wis alles").first.click()
    wait_js(
        probe.page, "(old) => !JSON.stringify(localStorage).includes(old)", old, 20_000
    )
    stored = chat.stored()
    assert stored["sessionId"] != old
    assert all(e.get("text") != "hallo" for e in stored["entries"])
    assert chat.user_texts() == []
    assert any("gewist" in t for t in chat.bot_texts())


def test_keyboard_only_use(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe = open_page(DESKTOP)
    page = probe.page
    chat = ChatPage(page).goto(f"{fake_rasa.url}/chat/")
    launcher = page.locator(".hw-launcher")
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.focus()
    page.keyboard.press("Enter")
    page.locator("#text-input").wait_for(state="visible")
    assert launcher.get_attribute("aria-expanded") == "true"
    wait_js(
        page,
        "() => document.querySelector('#hechtwijzer-widget').shadowRoot.querySelector('deep-chat').shadowRoot.activeElement?.id === 'text-input'",
    )
    assert (
        page.locator("#text-input").get_attribute("aria-label")
        == "Je bericht aan Hechtwijzer"
    )
    assert (
        page.locator(".input-button").get_attribute("aria-label")
        == "Verstuur je bericht"
    )
    page.keyboard.type("start vragen")
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_bot_after(before)
    chat.settle()
    button = page.locator(OPEN_CHOICES).nth(1)
    button.focus()
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_bot_after(before)
    fake_rasa.wait_received(
        '/answer_question{"question_id": "q01", "answer_value": "3"}'
    )
    page.keyboard.press("Escape")
    assert not page.locator(".hw-panel").is_visible()
    assert launcher.get_attribute("aria-expanded") == "false"
    assert (
        page.evaluate(
            "() => document.querySelector('#hechtwijzer-widget').shadowRoot.activeElement?.className"
        )
        == "hw-launcher"
    )


def test_phone_width_fills_the_screen(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa, PHONE)
    chat.say("start vragen")
    box = probe.page.locator(".hw-panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    assert not probe.page.locator(".hw-launcher").is_visible()
    scroll_width = probe.page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"]
    screenshot(probe.page, "fake-phone-question")


def test_start_open_setting_and_global_config(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe = open_page(DESKTOP)
    page = probe.page
    page.add_init_script(
        "window.HechtwijzerConfig = {startOpen: true, title: 'Testhulp', primaryColor: '#aa3300'}"
    )
    ChatPage(page).goto(f"{fake_rasa.url}/chat/")
    page.locator("#text-input").wait_for(state="visible")
    assert page.locator("#hw-title").inner_text() == "Testhulp"
    color = page.evaluate(
        "() => getComputedStyle(document.querySelector('#hechtwijzer-widget').shadowRoot.querySelector('.hw-header')).backgroundColor"
    )
    assert color == "rgb(170, 51, 0)"


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as resp:
            return resp.status, lower(resp.headers), resp.read()
    except urllib.error.HTTPError as error:
        return error.code, lower(error.headers), error.read()


def lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_chat_channel_serves_demo_and_bundle_only(fake_rasa: FakeRasa) -> None:
    status, headers, _ = fetch(f"{fake_rasa.url}/chat")
    assert status == 302 and headers["location"].endswith("/chat/")
    status, headers, body = fetch(f"{fake_rasa.url}/chat/")
    assert status == 200 and b"hechtwijzer-widget.js" in body
    assert "default-src 'self'" in headers["content-security-policy"]
    status, headers, body = fetch(f"{fake_rasa.url}/chat/hechtwijzer-widget.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert fetch(f"{fake_rasa.url}/chat/over.html")[0] == 200
    for bad in (
        "package.json",
        "..%2Fpackage.json",
        "%2E%2E%2F%2E%2E%2Fchannels%2Fwebchat.py",
        ".hw-built",
    ):
        assert fetch(f"{fake_rasa.url}/chat/{bad}")[0] == 404, bad


def test_typing_bubble_while_the_bot_works(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    dots = probe.page.locator(".loading-message-dots")
    before = chat.bot_count()
    chat.type("langzaam")
    dots.wait_for(state="visible", timeout=2_000)
    assert (
        probe.page.locator("#hechtwijzer-widget").get_attribute("data-awaiting")
        == "true"
    )
    assert chat.wait_bot_after(before) == "Daar ben ik weer."
    assert dots.count() == 0
    assert (
        probe.page.locator("#hechtwijzer-widget").get_attribute("data-awaiting") is None
    )
