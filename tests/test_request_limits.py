"""Bounded work per request and fail-closed settings (the running stack).

- a body over ``HW_MAX_REQUEST_BYTES`` (64 KB) is refused with 413 before it is read:
  a request that only announces 1 MB gets its 413 without sending a byte of it;
- a socket.io message over the cap closes that socket and is never handled;
- REST takes only ``application/json`` (a ``text/plain`` POST, which any web page
  may send cross-site without asking, gets 415);
- client ``metadata`` is not stored, over REST or socket.io (read back from SQLite).
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Tuple
from urllib.parse import urlparse

import pytest
import socketio

from bot.channels.identity import SessionSigner, rest_sender_id, web_sender_id
from testsupport.services import TEST_SESSION_SECRET

pytestmark = pytest.mark.stack

SIGNER = SessionSigner(TEST_SESSION_SECRET.encode())
MEGABYTE = 1024 * 1024


def raw_post(
    stack: Any, body: bytes, content_type: str = "application/json"
) -> Tuple[int, str]:
    """POST ``body`` to the REST webhook with ``content_type``; status and body."""
    request = urllib.request.Request(
        f"{stack.base_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def stored_rows(stack: Any, sender_id: str) -> List[str]:
    """The raw stored event rows of one conversation."""
    with sqlite3.connect(stack.db_path) as db:
        rows = db.execute(
            "select data from events where sender_id = ? order by id", (sender_id,)
        ).fetchall()
    return [data for (data,) in rows]


def test_a_megabyte_is_refused_before_it_is_read(stack: Any) -> None:
    """Only the headers of a 1 MB request are sent: the 413 comes anyway."""
    address = urlparse(stack.base_url)
    head = (
        "POST /webhooks/rest/webhook HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {MEGABYTE}\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=20) as s:
        s.sendall(head)
        answer = s.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


def test_a_megabyte_body_gets_413_not_a_parse_error(stack: Any) -> None:
    """A whole 1 MB body (of invalid JSON): 413, never the 400 of the JSON parser."""
    status, _ = raw_post(stack, b"{" + b"x" * MEGABYTE)
    assert status == 413
    status, _ = raw_post(
        stack,
        json.dumps({"sender": "big", "message": "ik " * (MEGABYTE // 3)}).encode(),
    )
    assert status == 413
    assert stored_rows(stack, rest_sender_id("big")) == []
    assert stack.texts("after-big", "hoi")  # the server is fine
    # just under the cap is still read (and answered as too long for NLU)
    sender = f"under-{uuid.uuid4().hex[:8]}"
    status, body = raw_post(
        stack, json.dumps({"sender": sender, "message": "a" * 60_000}).encode()
    )
    assert status == 200 and json.loads(body)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""],
)
def test_rest_takes_only_json(stack: Any, content_type: str) -> None:
    """The content types a cross-site form or fetch may send unasked get 415."""
    sender = f"plain-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"sender": sender, "message": "hoi"}).encode()
    status, _ = raw_post(stack, body, content_type)
    assert status == 415
    assert stored_rows(stack, rest_sender_id(sender)) == []
    status, _ = raw_post(stack, body, "application/json; charset=utf-8")
    assert status == 200
    assert stored_rows(stack, rest_sender_id(sender))


def test_rest_metadata_is_not_stored(stack: Any) -> None:
    """30 KB of metadata (and a key our tracker store reads) leave no trace."""
    sender = f"meta-{uuid.uuid4().hex[:8]}"
    marker = f"METADATA-{uuid.uuid4().hex}"
    metadata = {"stuffing": marker * 700, "hw_segment_copy": True, "marker": marker}
    status, _ = raw_post(
        stack,
        json.dumps({"sender": sender, "message": "hoi", "metadata": metadata}).encode(),
    )
    assert status == 200
    rows = stored_rows(stack, rest_sender_id(sender))
    assert rows and all(marker not in row for row in rows)
    assert all("hw_segment_copy" not in row for row in rows)


async def socket_turn(
    url: str, message: Dict[str, Any]
) -> Tuple[str, List[Dict[str, Any]], bool]:
    """One socket.io message; the session, the replies, and whether still connected."""
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.put_nowait(sid))
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    await client.connect(url, transports=["websocket"], headers={"Origin": url})
    replies: List[Dict[str, Any]] = []
    try:
        await client.emit("session_request", {})
        session = await asyncio.wait_for(confirmed.get(), 10)
        await client.emit("user_uttered", message)
        try:
            while True:
                replies.append(await asyncio.wait_for(received.get(), 5))
        except asyncio.TimeoutError:
            pass
        return session, replies, client.connected
    finally:
        await client.disconnect()


def test_socketio_metadata_is_not_stored(stack: Any) -> None:
    marker = f"METADATA-{uuid.uuid4().hex}"
    message = {"message": "hoi", "metadata": {"stuffing": marker * 500}}
    session, replies, _ = asyncio.run(socket_turn(stack.base_url, message))
    assert replies
    token = SIGNER.verify(session)
    assert token is not None
    rows = stored_rows(stack, web_sender_id(token))
    assert rows and all(marker not in row for row in rows)


def test_socketio_message_over_the_cap_is_never_handled(stack: Any) -> None:
    marker = f"GROOT-{uuid.uuid4().hex}"
    message = {"message": (marker + " ") * (100_000 // len(marker))}
    session, replies, connected = asyncio.run(socket_turn(stack.base_url, message))
    assert replies == [] and not connected
    token = SIGNER.verify(session)
    assert token is not None
    assert all(marker not in row for row in stored_rows(stack, web_sender_id(token)))
