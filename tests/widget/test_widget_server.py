"""What the widget gets from the server: progress as data, and quiet websocket ends.

* A question's progress travels as data from the ask action through Rasa to the
  socket.io message (``metadata.progress``), so the widget reads no Dutch text.
* Closing a websocket leaves no traceback in the server log (Sanic used to log
  "Invalid response type None" for every closed socket).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.core.actions.action import RemoteAction
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.questionnaire import content as qc
from actions.questionnaire import form as qf
from bot.channels.socketio import ProgressSocketIOOutput, progress_metadata
from tests.widget.conftest import FakeRasa

TRACEBACK_MARKS = ("Traceback", "Invalid response type")


def run_async(coroutine: Any) -> Any:
    """Run ``coroutine`` to the end on a thread of its own and return its result.

    The browser tests keep Playwright's event loop running in the main thread for
    the whole session, and ``asyncio.run`` refuses to start inside it.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def empty_tracker() -> Tracker:
    return Tracker("widget-test", {}, {}, [], False, None, {}, "action_listen")


def ask(action: Any) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    run_async(action.run(dispatcher, empty_tracker(), {}))
    return list(dispatcher.messages)


class RecordingSio:
    """Stands in for socketio.AsyncServer: records what would be emitted."""

    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Any]] = []

    async def emit(self, event: str, data: Any = None, **kwargs: Any) -> None:
        self.emitted.append((event, data))


def test_the_ask_action_sends_progress_beside_the_text() -> None:
    total = qc.load_questionnaire().total
    message = ask(qf.ASK_ACTIONS["q03"]())[0]
    assert message["progress"] == {"number": 3, "total": total}
    assert message["text"].startswith(f"Vraag 3 van {total}\n"), "text unchanged"
    context = ask(qf.ASK_ACTIONS["relationship_context"]())[0]
    assert "progress" not in context, "the unnumbered question has no progress"


def test_progress_reaches_the_socket_as_metadata() -> None:
    """Action message -> Rasa's bot utterance -> our socket.io output."""
    responses = ask(qf.ASK_ACTIONS["q02"]())
    bot_messages = run_async(
        RemoteAction._utter_responses(responses, None, None, None)  # type: ignore[arg-type]
    )
    sio = RecordingSio()
    output = ProgressSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    run_async(output.send_response("room", bot_messages[0].message()))
    total = qc.load_questionnaire().total
    assert len(sio.emitted) == 1
    event, data = sio.emitted[0]
    assert event == "bot_uttered"
    assert data["metadata"] == {"progress": {"number": 2, "total": total}}
    assert data["text"].startswith(f"Vraag 2 van {total}\n")
    assert len(data["quick_replies"]) == 5


def test_only_the_first_part_carries_progress_and_plain_texts_none() -> None:
    sio = RecordingSio()
    output = ProgressSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    run_async(
        output.send_response(
            "room",
            {
                "text": "Eerste deel\n\nTweede deel",
                "buttons": [{"title": "Ja", "payload": "/ja"}],
                "progress": {"number": 1, "total": 4},
            },
        )
    )
    run_async(output.send_response("room", {"text": "Gewoon een tekst."}))
    datas = [data for _, data in sio.emitted]
    assert datas[0]["metadata"] == {"progress": {"number": 1, "total": 4}}
    assert "metadata" not in datas[1] and datas[1]["quick_replies"]
    assert datas[2] == {"text": "Gewoon een tekst."}


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "Vraag 1 van 2",
        {"number": 0, "total": 2},
        {"number": 3, "total": 2},
        {"number": "1", "total": 2},
        {"number": True, "total": 2},
        {"number": 1},
    ],
)
def test_invalid_progress_is_dropped(raw: Any) -> None:
    assert progress_metadata(raw) is None


def test_valid_progress_is_kept() -> None:
    assert progress_metadata({"number": 2, "total": 2, "x": 1}) == {
        "progress": {"number": 2, "total": 2}
    }


# --- against our socket.io channel in a server process ---------------------------


@pytest.fixture(scope="module")
def guarded_rasa(
    widget_bundle: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FakeRasa]:
    """tests/widget/guarded_rasa.py: a scripted bot behind GuardedSocketIOInput."""
    server = FakeRasa(
        tmp_path_factory.mktemp("guarded_rasa"), module="tests.widget.guarded_rasa"
    ).start()
    yield server
    server.stop()


def log_problems(server: FakeRasa) -> List[str]:
    return [
        line
        for line in server.log_path.read_text(errors="replace").splitlines()
        if any(mark in line for mark in TRACEBACK_MARKS)
    ]


async def converse(url: str, transport: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Open a socket.io client, get a session, send ``texts``, collect replies, close."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue[Tuple[str, Any]] = asyncio.Queue()
    client.on("session_confirm", lambda data: replies.put_nowait(("confirm", data)))
    client.on("bot_uttered", lambda data: replies.put_nowait(("bot", data)))
    await client.connect(url, transports=[transport], socketio_path="/socket.io")
    await client.emit("session_request", {"session_id": None})
    kind, _ = await asyncio.wait_for(replies.get(), 15)
    assert kind == "confirm"
    got: List[Dict[str, Any]] = []
    for text in texts:
        await client.emit("user_uttered", {"message": text})
        kind, data = await asyncio.wait_for(replies.get(), 15)
        assert kind == "bot"
        got.append(data)
    await client.disconnect()
    return got


def wait_quiet_log(server: FakeRasa, seconds: float = 2.0) -> Optional[List[str]]:
    """Give the server time to log the close; the traceback lines, if any."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        problems = log_problems(server)
        if problems:
            return problems
        time.sleep(0.2)
    return log_problems(server)


def test_a_closed_websocket_leaves_no_traceback(guarded_rasa: FakeRasa) -> None:
    replies = run_async(
        converse(guarded_rasa.url, "websocket", ["start vragen", "hallo"])
    )
    assert replies[0]["metadata"] == {"progress": {"number": 1, "total": 2}}
    assert replies[0]["text"] == "Vraag 1 van 2\nIk zoek snel steun."
    assert replies[1] == {"text": "Je zei: hallo"}
    assert "connection open" in guarded_rasa.log_path.read_text()
    assert wait_quiet_log(guarded_rasa) == []


def test_long_polling_still_answers_over_http(guarded_rasa: FakeRasa) -> None:
    replies = run_async(converse(guarded_rasa.url, "polling", ["hallo"]))
    assert replies == [{"text": "Je zei: hallo"}]
    assert wait_quiet_log(guarded_rasa, 1.0) == []
