"""Serve the website widget and its demo pages from the Rasa server at ``/chat/``.

The channel handles no messages itself: the widget talks to Rasa over the
socket.io channel. This blueprint only hands out static files:

* ``GET /chat/`` -> ``bot/widget/demo/index.html``
* ``GET /chat/<file>`` -> a file from ``bot/widget/demo`` or ``bot/widget/dist``
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

WIDGET_DIR = Path(__file__).resolve().parent.parent / "widget"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")
ALLOWED_SUFFIXES = {".html", ".css", ".js", ".map", ".txt", ".png", ".svg", ".ico"}

# Same-origin only; inline styles are needed by the chat component's shadow DOM,
# data: images carry the result picture.
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
)


def resolve_static(widget_dir: Path, name: str) -> Optional[Path]:
    """Find a servable file for ``name`` in the demo or dist folder.

    Only plain file names with an allowed suffix are served: no folders, no
    ``..``, nothing outside ``demo/`` and ``dist/``.
    """
    if not SAFE_NAME.match(name) or ".." in name:
        return None
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        return None
    for folder in (widget_dir / "demo", widget_dir / "dist"):
        candidate = (folder / name).resolve()
        if candidate.parent == folder.resolve() and candidate.is_file():
            return candidate
    return None


def static_headers(path: Path) -> Dict[str, str]:
    """Response headers for a served file (no caching of rebuilt bundles)."""
    headers = {
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if path.suffix == ".html":
        headers["Content-Security-Policy"] = DEMO_CSP
    return headers


class WebChatPages(InputChannel):
    """Static-file channel for the website widget (bundle + demo pages)."""

    def __init__(self, widget_dir: Optional[str] = None) -> None:
        """Use ``widget_dir`` instead of ``bot/widget`` if given (tests)."""
        self.widget_dir = Path(widget_dir).resolve() if widget_dir else WIDGET_DIR

    @classmethod
    def name(cls) -> str:
        """Channel name used in credentials and tracker events."""
        return "chat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Build the channel; the only (optional) setting is ``widget_dir``."""
        credentials = credentials or {}
        return cls(credentials.get("widget_dir"))

    def url_prefix(self) -> str:
        """Serve under ``/chat`` rather than ``/webhooks/chat``."""
        return "/chat"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Routes for the demo page and the widget's static files."""
        bp = Blueprint("hechtwijzer_webchat", __name__)
        widget_dir = self.widget_dir

        async def send_file(path: Path) -> HTTPResponse:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if mime.startswith("text/") or mime in ("application/javascript",):
                mime += "; charset=utf-8"
            return HTTPResponse(
                body=path.read_bytes(),
                status=200,
                headers=static_headers(path),
                content_type=mime,
            )

        @bp.route("", methods=["GET"], strict_slashes=True)
        async def demo_redirect(request: Request) -> HTTPResponse:
            # Relative links in the demo page need the trailing slash.
            return response.redirect(request.path.rstrip("/") + "/")

        @bp.route("/", methods=["GET"], strict_slashes=True)
        async def demo_page(request: Request) -> HTTPResponse:
            path = resolve_static(widget_dir, "index.html")
            if path is None:
                return response.text("demo page missing", status=404)
            return await send_file(path)

        @bp.route("/<name:str>", methods=["GET"])
        async def static_file(request: Request, name: str) -> HTTPResponse:
            path = resolve_static(widget_dir, name)
            if path is None:
                if name == "hechtwijzer-widget.js":
                    return response.text(
                        "widget bundle not built: run `npm ci && npm run build` "
                        "in bot/widget",
                        status=503,
                    )
                return response.text("not found", status=404)
            return await send_file(path)

        return bp
