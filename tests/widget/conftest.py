"""Fixtures for the widget's browser tests: the bundle, Chromium, a scripted server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

from testsupport.services import free_port
from testsupport.stack import ROOT, wait_for_url

WIDGET = ROOT / "bot" / "widget"
BUNDLE = WIDGET / "dist" / "hechtwijzer-widget.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def widget_bundle() -> Path:
    """The built bundle (built through the launcher's own step if sources changed)."""
    from bot.launcher.widget import ensure_widget

    if shutil.which("node") is None:
        pytest.skip("Node.js 18+ is needed to build the widget")
    ensure_widget()
    assert BUNDLE.is_file(), "npm run build did not produce the bundle"
    return BUNDLE


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class PageProbe:
    """A fresh browser context + page that records dialogs and page errors."""

    def __init__(self, browser: Any, viewport: Dict[str, int]) -> None:
        """Open a new, empty context (own localStorage) with one page."""
        self.context = browser.new_context(viewport=viewport, locale="nl-NL")
        self.page = self.context.new_page()
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        """Close the context."""
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., PageProbe]]:
    """Factory for isolated pages; all are closed after the test."""
    probes: List[PageProbe] = []

    def make(viewport: Dict[str, int] = DESKTOP) -> PageProbe:
        probe = PageProbe(browser, viewport)
        probes.append(probe)
        return probe

    yield make
    for probe in probes:
        probe.close()


class FakeRasa:
    """A scripted server (``tests/widget/fake_rasa.py`` by default) in a subprocess."""

    def __init__(self, workdir: Path, module: str = "tests.widget.fake_rasa") -> None:
        """Pick a port; call ``start()`` to run."""
        self.port = free_port()
        self.workdir = workdir
        self.module = module
        self.log_path = workdir / f"{module.rsplit('.', 1)[-1]}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeRasa:
        """Start (or restart, on the same port) and wait until it serves /chat/."""
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module, "--port", str(self.port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if not wait_for_url(f"{self.url}/chat/", 60, self.proc):
            raise RuntimeError(self.log_path.read_text()[-3000:])
        return self

    def stop(self) -> None:
        """Stop the process and wait until the port is closed."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def received(self) -> List[Dict[str, str]]:
        """Every message the scripted bot got since this process started."""
        import json

        with urllib.request.urlopen(f"{self.url}/received", timeout=5) as resp:
            return list(json.loads(resp.read().decode()))

    def wait_received(self, text: str, timeout: float = 20) -> Dict[str, str]:
        """Wait until the server got ``text``; return that record."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in self.received():
                if record["text"] == text:
                    return record
            time.sleep(0.2)
        raise AssertionError(f"server never received {text!r}: {self.received()}")

    def mode(self, **flags: bool) -> None:
        """Switch the scripted server: ``fail_deletes``, ``fresh_sessions``."""
        import urllib.parse

        query = urllib.parse.urlencode({k: "1" if v else "0" for k, v in flags.items()})
        with urllib.request.urlopen(f"{self.url}/mode?{query}", timeout=5) as resp:
            resp.read()


@pytest.fixture(scope="module")
def fake_rasa(
    widget_bundle: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FakeRasa]:
    """A scripted bot server serving the widget at /chat/ (one per test module)."""
    server = FakeRasa(tmp_path_factory.mktemp("fake_rasa")).start()
    yield server
    server.stop()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
