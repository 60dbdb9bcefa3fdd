"""A real socket.io client with session persistence against the running server."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
import socketio

pytestmark = pytest.mark.stack


async def converse(
    url: str, origin: str, session_id: str, messages: List[str]
) -> List[Dict[str, Any]]:
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.put_nowait(sid))
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    await client.connect(url, transports=["websocket"], headers={"Origin": origin})
    try:
        await client.emit("session_request", {"session_id": session_id})
        assert await asyncio.wait_for(confirmed.get(), 10) == session_id
        replies = []
        for message in messages:
            await client.emit(
                "user_uttered", {"message": message, "session_id": session_id}
            )
            replies.append(await asyncio.wait_for(received.get(), 60))
        return replies
    finally:
        await client.disconnect()


def test_socketio_with_session_persistence_gets_the_greeting(stack) -> None:  # type: ignore[no-untyped-def]
    replies = asyncio.run(
        converse(stack.base_url, stack.base_url, "sio-session-1", ["hoi"])
    )
    assert "Hechtwijzer" in replies[0]["text"]
    assert replies[0]["quick_replies"]


def test_socketio_session_survives_a_reconnect(stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    asyncio.run(converse(stack.base_url, stack.base_url, "sio-session-2", ["hoi"]))
    asyncio.run(
        converse(stack.base_url, stack.base_url, "sio-session-2", ["wat kun je?"])
    )
    with sqlite3.connect(stack.db_path) as db:
        count = db.execute(
            "select count(*) from events where sender_id = ? and type_name = 'user'",
            ("sio-session-2",),
        ).fetchone()[0]
    assert count == 2


def test_socketio_refuses_other_origins(stack) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(converse(stack.base_url, "https://evil.example", "sio-x", ["hoi"]))


async def delete_over_socket(url: str, session_id: str) -> List[Dict[str, Any]]:
    """Greet, ask to delete, press the confirm button; collect everything emitted."""
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.put_nowait(sid))
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    await client.connect(url, transports=["websocket"], headers={"Origin": url})
    events: List[Dict[str, Any]] = []
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.get(), 10)
        for message in ("hoi", "verwijder mijn gegevens", "/confirm_delete_data"):
            await client.emit(
                "user_uttered", {"message": message, "session_id": session_id}
            )
            events.append(await asyncio.wait_for(received.get(), 60))
        # the confirmation text and then the marker for the widget
        try:
            while True:
                events.append(await asyncio.wait_for(received.get(), 5))
        except asyncio.TimeoutError:
            pass
        return events
    finally:
        await client.disconnect()


def test_delete_over_socketio_wipes_rows_and_tells_the_widget(stack) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    events = asyncio.run(delete_over_socket(stack.base_url, "sio-delete-1"))
    assert {"hechtwijzer": "delete_conversation"} in events
    with sqlite3.connect(stack.db_path) as db:
        rows = db.execute(
            "select count(*) from events where sender_id = ?", ("sio-delete-1",)
        ).fetchone()[0]
    assert rows == 0
