"""Conventions people expect from a chat widget, checked in Chromium.

Against the scripted server (fake_rasa.py): an unread badge and announcements while
the panel is closed, Dutch as the widget's language, no iOS zoom on the input, a
modal full screen on phones, the person's own messages as plain text, progress from
the messages' data, and an axe-core scan of the widget in three states.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List

import pytest

from tests.widget.chat_page import BOT_BUBBLE, USER_BUBBLE, ChatPage, wait_js
from tests.widget.conftest import (
    DESKTOP,
    WIDGET,
    FakeRasa,
    PageProbe,
    screenshot,
)

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
HOST = "document.querySelector('#hechtwijzer-widget')"
AXE_SOURCE = WIDGET / "node_modules" / "axe-core" / "axe.min.js"


def start_chat(
    open_page: Callable[..., PageProbe], server: FakeRasa, viewport: Any = DESKTOP
) -> tuple[PageProbe, ChatPage]:
    probe = open_page(viewport)
    chat = ChatPage(probe.page).goto(f"{server.url}/chat/")
    chat.open()
    chat.session_id()
    return probe, chat


def live_region_state(page: Any) -> Dict[str, Any]:
    """The live region's text, politeness and whether anything hides it."""
    return dict(
        page.evaluate(
            f"""() => {{
                 const live = {HOST}.shadowRoot.querySelector('[aria-live]');
                 let hidden = false;
                 for (let el = live; el; el = el.parentElement) {{
                   if (el.hidden || getComputedStyle(el).display === 'none'
                       || el.getAttribute('aria-hidden') === 'true') hidden = true;
                 }}
                 return {{text: live.textContent, polite: live.getAttribute('aria-live'),
                          hidden, inPanel: !!live.closest('.hw-panel')}};
               }}"""
        )
    )


def accessibility_names(page: Any) -> List[str]:
    """Every name and value in Chromium's accessibility tree (what a reader gets)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    texts = []
    for node in nodes:
        if node.get("ignored"):
            continue
        for key in ("name", "value"):
            value = (node.get(key) or {}).get("value")
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


def test_unread_badge_and_announcements_while_closed(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    page = probe.page
    launcher = page.locator(".hw-launcher")
    badge = page.locator(".hw-badge")
    assert not badge.is_visible()
    before = chat.bot_count()
    chat.type("langzaam")  # answered after 2.5 s
    page.keyboard.press("Escape")
    assert not page.locator(".hw-panel").is_visible()

    wait_js(
        page,
        f"() => {HOST}.shadowRoot.querySelector('[aria-live]').textContent"
        ".includes('Daar ben ik weer.')",
    )
    state = live_region_state(page)
    assert state["polite"] == "polite"
    assert not state["hidden"] and not state["inPanel"]
    assert any("Daar ben ik weer." in t for t in accessibility_names(page))
    badge.wait_for(state="visible")
    assert badge.inner_text() == "1"
    assert launcher.get_attribute("aria-label") == (
        "Open de chat met Hechtwijzer, 1 nieuw bericht"
    )
    screenshot(page, "conventions-unread-badge")

    page.reload()  # the count survives a reload
    page.locator(".hw-badge").wait_for(state="visible")
    assert page.locator(".hw-badge").inner_text() == "1"

    launcher.click()
    page.locator("#text-input").wait_for(state="visible")
    assert not badge.is_visible()
    assert launcher.get_attribute("aria-label") == "Open de chat met Hechtwijzer"
    assert chat.bot_count() == before + 1
    chat.say("hallo")  # messages read with the panel open are not unread
    assert not badge.is_visible()
    assert chat.stored()["unread"] == 0


def test_dutch_host_and_an_input_that_does_not_zoom(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, _ = start_chat(open_page, fake_rasa)
    page = probe.page
    assert page.locator("#hechtwijzer-widget").get_attribute("lang") == "nl"
    size = page.evaluate(
        f"""() => getComputedStyle({HOST}.shadowRoot.querySelector('deep-chat')
                 .shadowRoot.querySelector('#text-input')).fontSize"""
    )
    assert float(size.removesuffix("px")) >= 16


def test_full_screen_on_a_phone_is_modal(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe = open_page(PHONE_390)
    page = probe.page
    chat = ChatPage(page).goto(f"{fake_rasa.url}/chat/")
    # A long page, scrolled down a little, behind the widget.
    page.evaluate(
        """() => {
             const tall = document.createElement('div');
             tall.id = 'tall'; tall.style.height = '4000px';
             document.body.appendChild(tall);
             window.scrollTo(0, 600);
           }"""
    )
    marker_top = "() => document.querySelector('#tall').getBoundingClientRect().top"
    page_top = page.evaluate(marker_top)
    panel = page.locator(".hw-panel")
    assert panel.get_attribute("aria-modal") == "false"
    chat.open()
    chat.say("start vragen")
    assert panel.get_attribute("aria-modal") == "true"
    assert panel.get_attribute("role") == "dialog"
    box = panel.bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}

    # The page behind does not move: not by the wheel, not by touch, not by script.
    page.mouse.move(195, 420)
    page.mouse.wheel(0, 1500)
    page.evaluate("() => window.scrollBy(0, 700)")
    page.wait_for_timeout(300)
    assert page.evaluate(marker_top) == page_top
    assert page.evaluate("() => getComputedStyle(document.body).position") == "fixed"

    # Tab and Shift+Tab stay inside the dialog and go round.
    in_widget = f"() => document.activeElement === {HOST}"
    seen = set()
    for key in ["Tab"] * 20 + ["Shift+Tab"] * 20:
        page.keyboard.press(key)
        assert page.evaluate(in_widget), f"focus left the dialog after {key}"
        seen.add(
            page.evaluate(
                f"""() => {{
                     let el = {HOST}.shadowRoot.activeElement;
                     if (el && el.shadowRoot && el.shadowRoot.activeElement)
                       el = el.shadowRoot.activeElement;
                     return el ? (el.id || el.className) : '';
                   }}"""
            )
        )
    assert "hw-new" in seen and "text-input" in seen and "hw-close" in seen

    screenshot(page, "conventions-phone-modal")
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert panel.get_attribute("aria-modal") == "false"
    assert page.evaluate("() => getComputedStyle(document.body).position") != "fixed"
    assert page.evaluate("() => window.scrollY") == 600
    assert page.evaluate(marker_top) == page_top
    assert (
        page.evaluate(f"() => {HOST}.shadowRoot.activeElement?.className")
        == "hw-launcher"
    )
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.scrollY") > 600, "the page scrolls again"


@pytest.mark.parametrize(
    "typed",
    [
        "[klik](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "**niet vet** en https://example.org",
    ],
)
def test_own_messages_are_plain_text(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa, typed: str
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    page = probe.page

    def check() -> None:
        bubble = page.locator(USER_BUBBLE).last
        assert bubble.inner_text() == typed
        assert bubble.locator("a, img, strong, em").count() == 0
        assert chat.injected_images() == 0

    chat.say(typed)
    check()
    page.reload()
    page.locator(USER_BUBBLE).last.wait_for()
    check()
    assert probe.dialogs == [] and probe.errors == []


def test_progress_comes_from_data_not_from_the_text(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa
) -> None:
    probe, chat = start_chat(open_page, fake_rasa)
    page = probe.page
    bar = page.locator(".hw-progress")
    chat.say("vraag zonder gegevens")
    assert chat.bot_texts()[-1].startswith("Vraag 1 van 2")
    assert not bar.is_visible()
    assert page.locator(BOT_BUBBLE).last.locator(".hw-q-fill").count() == 0
    chat.say("start vragen")
    assert bar.is_visible()
    assert bar.get_attribute("aria-valuenow") == "1"
    assert chat.stored()["entries"][-1]["progress"] == {"n": 1, "m": 2}


def axe_violations(page: Any) -> List[Dict[str, Any]]:
    """Serious and critical axe-core violations inside the widget."""
    page.evaluate(
        "(src) => { if (!window.axe) (0, eval)(src); }", AXE_SOURCE.read_text()
    )
    found = page.evaluate(
        """async () => {
             const result = await axe.run(
               {include: [['#hechtwijzer-widget']]}, {resultTypes: ['violations']});
             return result.violations.map((v) => ({
               id: v.id, impact: v.impact,
               nodes: v.nodes.map((n) => n.target.flat().join(' ')),
             }));
           }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violations(
    open_page: Callable[..., PageProbe], fake_rasa: FakeRasa, viewport: Any
) -> None:
    assert AXE_SOURCE.is_file(), "npm ci installs axe-core (package-lock.json)"
    probe = open_page(viewport)
    page = probe.page
    chat = ChatPage(page).goto(f"{fake_rasa.url}/chat/")
    report: Dict[str, Any] = {}
    report["closed"] = axe_violations(page)
    chat.open()
    chat.say("start vragen")
    report["question"] = axe_violations(page)
    chat.press("Soms")
    chat.say("vijf")
    page.locator("img.hw-image").wait_for()
    report["result"] = axe_violations(page)
    assert report == {"closed": [], "question": [], "result": []}, json.dumps(report)
