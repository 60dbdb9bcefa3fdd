"""A real socket.io client with session persistence against the running server."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any, Dict, List, Optional, Tuple

import pytest
import socketio

from bot.channels.identity import SessionSigner, web_sender_id
from testsupport.services import TEST_SESSION_SECRET

pytestmark = pytest.mark.stack

SIGNER = SessionSigner(TEST_SESSION_SECRET.encode())


async def converse(
    url: str, origin: str, session_id: Optional[str], messages: List[str]
) -> Tuple[str, List[Dict[str, Any]]]:
    """Ask for ``session_id``; send ``messages``; the confirmed id and first replies."""
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.put_nowait(sid))
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    await client.connect(url, transports=["websocket"], headers={"Origin": origin})
    try:
        await client.emit("session_request", {"session_id": session_id})
        session = await asyncio.wait_for(confirmed.get(), 10)
        replies = []
        for message in messages:
            await client.emit(
                "user_uttered", {"message": message, "session_id": session}
            )
            replies.append(await asyncio.wait_for(received.get(), 60))
        return session, replies
    finally:
        await client.disconnect()


def user_events(stack: Any, sender_id: str) -> int:
    """How many user messages the tracker store holds for ``sender_id``."""
    with sqlite3.connect(stack.db_path) as db:
        return int(
            db.execute(
                "select count(*) from events where sender_id = ? and type_name = 'user'",
                (sender_id,),
            ).fetchone()[0]
        )


def test_socketio_with_session_persistence_gets_the_greeting(stack) -> None:  # type: ignore[no-untyped-def]
    session, replies = asyncio.run(
        converse(stack.base_url, stack.base_url, None, ["hoi"])
    )
    assert "Hechtwijzer" in replies[0]["text"]
    assert replies[0]["quick_replies"]
    # the server issued a signed id; the conversation is stored as web:<token>
    token = SIGNER.verify(session)
    assert token is not None
    assert user_events(stack, web_sender_id(token)) == 1


def test_socketio_session_survives_a_reconnect(stack) -> None:  # type: ignore[no-untyped-def]
    session, _ = asyncio.run(converse(stack.base_url, stack.base_url, None, ["hoi"]))
    again, _ = asyncio.run(
        converse(stack.base_url, stack.base_url, session, ["wat kun je?"])
    )
    assert again == session
    token = SIGNER.verify(session)
    assert token is not None
    assert user_events(stack, web_sender_id(token)) == 2


def test_socketio_refuses_other_origins(stack) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(converse(stack.base_url, "https://evil.example", None, ["hoi"]))


async def delete_over_socket(url: str) -> Tuple[str, List[Dict[str, Any]]]:
    """Greet, ask to delete, press the confirm button; collect everything emitted."""
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.put_nowait(sid))
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    await client.connect(url, transports=["websocket"], headers={"Origin": url})
    events: List[Dict[str, Any]] = []
    try:
        await client.emit("session_request", {})
        session = await asyncio.wait_for(confirmed.get(), 10)
        for message in ("hoi", "verwijder mijn gegevens", "/confirm_delete_data"):
            await client.emit("user_uttered", {"message": message})
            events.append(await asyncio.wait_for(received.get(), 60))
        # the confirmation text and then the marker for the widget
        try:
            while True:
                events.append(await asyncio.wait_for(received.get(), 5))
        except asyncio.TimeoutError:
            pass
        return session, events
    finally:
        await client.disconnect()


def test_delete_over_socketio_wipes_rows_and_tells_the_widget(stack) -> None:  # type: ignore[no-untyped-def]
    session, events = asyncio.run(delete_over_socket(stack.base_url))
    assert {"hechtwijzer": "delete_conversation"} in events
    token = SIGNER.verify(session)
    assert token is not None
    with sqlite3.connect(stack.db_path) as db:
        rows = db.execute(
            "select count(*) from events where sender_id = ?", (web_sender_id(token),)
        ).fetchone()[0]
    assert rows == 0
