"""The REST and socket.io channels under settings the shared stack does not use.

Each test starts ``tests/bot/channel_app.py`` (the real channels, Rasa's own CORS
set-up, an echoing stand-in for the agent) with its own environment:

- production profile: REST closed without ``HW_REST_TOKEN``; with it, only requests
  with ``Authorization: Bearer <token>`` get through;
- ``HW_CORS_ORIGINS`` empty or missing: the bot's own origin only, for socket.io and
  for REST's CORS headers;
- an unreachable database: the health route says "unavailable" and nothing else
  (the database host and user only in the log);
- the body cap: the channels set it on the app themselves.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import socketio

from testsupport.services import free_port
from testsupport.stack import ROOT, wait_for_url

TOKEN = "a-rest-token-that-is-long-enough-" + "x" * 16


@dataclass
class ChannelApp:
    """A running channel_app."""

    url: str
    proc: subprocess.Popen
    log: Path

    def request(
        self,
        path: str,
        body: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> Tuple[int, Dict[str, str], str]:
        """Status, headers and body of one request."""
        request = urllib.request.Request(
            f"{self.url}{path}", data=body, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def post(self, sender: str, **headers: str) -> int:
        """POST a JSON message to the REST webhook; the status."""
        body = json.dumps({"sender": sender, "message": "hoi"}).encode()
        sent = {"Content-Type": "application/json", **headers}
        return self.request("/webhooks/rest/webhook", body, sent)[0]

    def received(self) -> List[Dict[str, Any]]:
        """What reached the stand-in agent."""
        return list(json.loads(self.request("/received")[2]))


@pytest.fixture(scope="module")
def channel_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Factory: channel_app with these environment settings (one per settings)."""
    started: Dict[Tuple[Tuple[str, Optional[str]], ...], ChannelApp] = {}
    tmp_path = tmp_path_factory.mktemp("channel_app")

    def start(db_url: Optional[str] = None, **settings: Optional[str]) -> ChannelApp:
        settings = {k: v for k, v in settings.items() if v is not None}
        key = tuple(sorted({**settings, "db_url": db_url}.items()))
        if key in started:
            return started[key]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HW_")}
        env["HW_SESSION_SECRET"] = "channel-app-session-secret-" + "y" * 16
        env.update(settings)
        port = free_port()
        log = tmp_path / f"channel_app_{port}.log"
        command = [sys.executable, "-m", "tests.bot.channel_app", "--port", str(port)]
        if db_url:
            command += ["--db-url", db_url]
        with log.open("ab") as out:
            proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        app = ChannelApp(f"http://127.0.0.1:{port}", proc, log)
        started[key] = app
        if not wait_for_url(f"{app.url}/webhooks/socketio/", 120, proc):
            raise RuntimeError(log.read_text()[-3000:])
        return app

    yield start
    for app in started.values():
        app.proc.terminate()
        try:
            app.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            app.proc.kill()
            app.proc.wait()


# Defaults, except for a small body cap (shared by the tests that use defaults).
DEFAULTS: Dict[str, Optional[str]] = {"HW_MAX_REQUEST_BYTES": "8192"}


def received_by(app: ChannelApp, sender_id: str) -> List[Dict[str, Any]]:
    """What reached the stand-in agent for one sender."""
    return [r for r in app.received() if r["sender_id"] == sender_id]


# ---------------------------------------------------------------- REST token
def test_production_closes_rest_without_a_token(channel_app: Any) -> None:
    app = channel_app(HW_PROFILE="production")
    assert app.post("someone") == 403
    assert app.post("someone", Authorization="Bearer anything") == 403
    assert app.received() == []
    status, _, body = app.request("/webhooks/rest/")
    assert status == 503 and json.loads(body) == {"status": "unavailable"}


def test_production_opens_rest_with_the_token_only(channel_app: Any) -> None:
    app = channel_app(HW_PROFILE="production", HW_REST_TOKEN=TOKEN)
    assert app.post("someone") == 401
    assert app.post("someone", Authorization=f"Bearer {TOKEN}x") == 401
    assert app.post("someone", Authorization=f"Basic {TOKEN}") == 401
    assert app.post("someone", Authorization=TOKEN) == 401
    assert app.received() == []
    assert app.post("someone", Authorization=f"Bearer {TOKEN}") == 200
    assert [r["sender_id"] for r in app.received()] == ["rest:someone"]


def test_embedded_rest_is_open_for_local_use(channel_app: Any) -> None:
    app = channel_app(**DEFAULTS)
    assert app.post("local") == 200
    assert [r["text"] for r in received_by(app, "rest:local")] == ["hoi"]


# ---------------------------------------------------------------------- CORS
async def opens_socket(url: str, origin: str) -> bool:
    """Whether a socket.io client from ``origin`` gets a connection."""
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(url, transports=["websocket"], headers={"Origin": origin})
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


@pytest.mark.parametrize(
    "origins", [None, "", " , "], ids=["missing", "empty", "commas"]
)
def test_no_cors_setting_means_the_bots_own_origin(
    channel_app: Any, origins: Optional[str]
) -> None:
    app = channel_app(**DEFAULTS, HW_CORS_ORIGINS=origins)
    assert asyncio.run(opens_socket(app.url, app.url))
    assert not asyncio.run(opens_socket(app.url, "https://evil.example"))
    body = json.dumps({"sender": "x", "message": "hoi"}).encode()
    headers = {"Content-Type": "application/json", "Origin": "https://evil.example"}
    status, sent, _ = app.request("/webhooks/rest/webhook", body, headers)
    assert status == 200
    allowed = {k.lower(): v for k, v in sent.items()}.get("access-control-allow-origin")
    assert allowed in (None, "")


# -------------------------------------------------------------------- health
def test_health_says_unavailable_and_keeps_the_details_in_the_log(
    channel_app: Any,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    url = f"postgresql://hwdbuser:hwdbpass@127.0.0.1:{closed}/hwdatabase"
    app = channel_app(db_url=url)
    for path in ("/webhooks/rest/", "/webhooks/rest/health"):
        status, _, body = app.request(path)
        assert status == 503
        assert json.loads(body) == {"status": "unavailable"}
        for detail in ("hwdbuser", "127.0.0.1", str(closed), "Operational", "error"):
            assert detail not in body
    log = app.log.read_text()
    assert "Health check: tracker store error" in log and "OperationalError" in log
    assert "hwdbpass" not in log


# ------------------------------------------------------------------ body cap
def test_the_channels_cap_bodies_without_the_launcher(channel_app: Any) -> None:
    app = channel_app(**DEFAULTS)
    body = json.dumps({"sender": "big", "message": "a" * 10_000}).encode()
    headers = {"Content-Type": "application/json"}
    assert app.request("/webhooks/rest/webhook", body, headers)[0] == 413
    assert received_by(app, "rest:big") == []
    assert app.post("big") == 200
    assert [r["text"] for r in received_by(app, "rest:big")] == ["hoi"]


def test_metadata_never_reaches_the_agent(channel_app: Any) -> None:
    app = channel_app(**DEFAULTS)
    body = json.dumps(
        {"sender": "m", "message": "hoi", "metadata": {"anything": "x" * 1000}}
    ).encode()
    headers = {"Content-Type": "application/json"}
    assert app.request("/webhooks/rest/webhook", body, headers)[0] == 200
    assert [r["metadata"] for r in received_by(app, "rest:m")] in ([None], [{}])
