"""A fake Telegram Bot API server on 127.0.0.1 for tests.

It records every call it gets (method, token, parameters, uploaded files) and serves
queued updates through ``getUpdates`` the way Telegram does: an update stays pending
until a later ``getUpdates`` call confirms it with a higher ``offset``, and
``getUpdates`` answers 409 while a webhook is set.

Usage from synchronous test code (the server runs its own event loop in a thread)::

    fake = FakeTelegram(token="123:abc").start()
    ...  # point the channel at fake.url
    fake.wait_for_call("sendMessage")
    fake.stop()
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List

from aiohttp import web

DEFAULT_TOKEN = "123456:TEST-token_for-fake-telegram"
BOT_USERNAME = "hechtwijzer_test_bot"


@dataclass
class ApiCall:
    """One request the fake server received."""

    method: str
    token: str
    params: Dict[str, Any]
    files: Dict[str, bytes] = field(default_factory=dict)
    # What the fake answered (e.g. the sent message, with its ``message_id``).
    result: Any = None

    def reply_markup(self) -> Dict[str, Any]:
        """Return ``reply_markup`` as a dict whether it was sent as JSON or a string."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            parsed: Dict[str, Any] = json.loads(markup)
            return parsed
        return dict(markup)


@dataclass
class _Failure:
    status: int
    description: str
    times: int | None
    retry_after: int | None = None
    when: Callable[[Dict[str, Any]], bool] | None = None

    def applies(self, params: Dict[str, Any]) -> bool:
        """Whether this failure is meant for a call with ``params``."""
        return self.when is None or bool(self.when(params))


class FakeTelegram:
    """Fake Bot API server: records calls, serves queued updates, can simulate failures."""

    def __init__(self, token: str = DEFAULT_TOKEN, max_poll_wait: float = 1.0) -> None:
        """Create the server (not started) that accepts only ``token``."""
        self.token = token
        self.max_poll_wait = max_poll_wait
        self._lock = threading.Lock()
        self._calls: List[ApiCall] = []
        self._pending: List[Dict[str, Any]] = []
        self._failures: Dict[str, _Failure] = {}
        self._message_ids = itertools.count(1000)
        self._update_ids = itertools.count(900_000)
        self.webhook_url = ""
        self.webhook_secret = ""
        self.commands: List[Dict[str, Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._new_update: asyncio.Event | None = None
        self._port = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeTelegram:
        """Start serving on a free port of 127.0.0.1 in a background thread."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        errors: List[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as error:  # noqa: BLE001 - reported to start()
                errors.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-telegram", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise RuntimeError("fake Telegram server did not start") from errors[0]
        return self

    async def _serve(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._new_update = asyncio.Event()
        server = site._server  # noqa: SLF001 - aiohttp exposes no public port getter
        sockets = getattr(server, "sockets", None) or []
        self._port = sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeTelegram:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on leaving a ``with`` block."""
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to use as the channel's ``api_base_url``."""
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ test API
    @property
    def calls(self) -> List[ApiCall]:
        """A copy of every call received so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str, chat_id: int | None = None) -> List[ApiCall]:
        """Calls of one API method, optionally only those for one chat."""
        return [
            call
            for call in self.calls
            if call.method == method
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
        ]

    def reset(self) -> None:
        """Forget calls, pending updates, failures and webhook state."""
        with self._lock:
            self._calls.clear()
            self._pending.clear()
            self._failures.clear()
            self.webhook_url = ""
            self.webhook_secret = ""
            self.commands = []

    def clear_calls(self) -> None:
        """Forget the recorded calls only."""
        with self._lock:
            self._calls.clear()

    def next_update_id(self) -> int:
        """A fresh, increasing update id."""
        return next(self._update_ids)

    def queue_update(self, update: Dict[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (kept until an offset confirms it)."""
        with self._lock:
            self._pending.append(update)
        if self._loop is not None and self._new_update is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)

    def pending_update_ids(self) -> List[int]:
        """Ids of the updates not yet confirmed by an offset."""
        with self._lock:
            return [int(u["update_id"]) for u in self._pending]

    def fail(
        self,
        method: str,
        status: int = 500,
        description: str = "Internal Server Error",
        times: int | None = None,
        retry_after: int | None = None,
        when: Callable[[Dict[str, Any]], bool] | None = None,
    ) -> None:
        """Make ``method`` answer an error (``times`` calls, or always when None).

        ``when`` limits the failure to calls whose parameters pass it (e.g. only the
        ones with ``parse_mode``); other calls succeed and do not count.
        """
        with self._lock:
            self._failures[method] = _Failure(
                status, description, times, retry_after, when
            )

    def clear_failures(self) -> None:
        """Let every method succeed again."""
        with self._lock:
            self._failures.clear()

    def wait_for(
        self, predicate: Callable[[List[ApiCall]], bool], timeout: float = 30.0
    ) -> List[ApiCall]:
        """Wait until ``predicate(calls)`` holds; raise AssertionError at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls
            if predicate(calls):
                return calls
            if time.monotonic() > deadline:
                summary = [(c.method, c.params.get("text", "")) for c in calls]
                raise AssertionError(
                    f"fake Telegram never saw the expected calls: {summary}"
                )
            time.sleep(0.05)

    def message_id_of(self, call: ApiCall) -> int:
        """The ``message_id`` the fake gave a sent message."""
        assert isinstance(call.result, dict), f"{call.method} sent no message"
        return int(call.result["message_id"])

    def wait_for_call(
        self,
        method: str,
        count: int = 1,
        chat_id: int | None = None,
        timeout: float = 30.0,
    ) -> List[ApiCall]:
        """Wait until ``method`` was called ``count`` times; return those calls."""
        self.wait_for(lambda _: len(self.calls_to(method, chat_id)) >= count, timeout)
        return self.calls_to(method, chat_id)

    # ------------------------------------------------------------------ server
    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        params, files = await self._read_params(request)
        call = ApiCall(method=method, token=token, params=params, files=files)
        with self._lock:
            self._calls.append(call)
            failure = self._failures.get(method)
            if failure is not None and not failure.applies(params):
                failure = None
            if failure is not None and failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    del self._failures[method]
        if token != self.token:
            return _error(401, "Unauthorized")
        if failure is not None:
            return _error(failure.status, failure.description, failure.retry_after)
        if method == "getUpdates":
            return await self._get_updates(params)
        call.result = self._result_for(method, params)
        return web.json_response({"ok": True, "result": call.result})

    @staticmethod
    async def _read_params(
        request: web.Request,
    ) -> tuple[Dict[str, Any], Dict[str, bytes]]:
        params: Dict[str, Any] = dict(request.query)
        files: Dict[str, bytes] = {}
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body or {})
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if part.name is None:
                    continue
                if part.filename:  # type: ignore[union-attr]
                    files[part.name] = bytes(await part.read())  # type: ignore[union-attr]
                else:
                    params[part.name] = await part.text()  # type: ignore[union-attr]
        elif request.can_read_body:
            params.update(dict(await request.post()))
        return params, files

    def _result_for(self, method: str, params: Dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": 123456,
                "is_bot": True,
                "first_name": "Hechtwijzer",
                "username": BOT_USERNAME,
            }
        if method == "setWebhook":
            self.webhook_url = str(params.get("url", ""))
            self.webhook_secret = str(params.get("secret_token", ""))
            return True
        if method == "deleteWebhook":
            self.webhook_url = ""
            return True
        if method == "setMyCommands":
            commands = params.get("commands", [])
            self.commands = (
                json.loads(commands) if isinstance(commands, str) else commands
            )
            return True
        if method in ("sendMessage", "sendPhoto"):
            message: Dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": _as_int(params.get("chat_id")), "type": "private"},
                "from": {"id": 123456, "is_bot": True, "first_name": "Hechtwijzer"},
            }
            if method == "sendMessage":
                message["text"] = params.get("text", "")
            else:
                message["photo"] = [{"file_id": "fake-photo", "width": 1, "height": 1}]
            return message
        return True

    async def _get_updates(self, params: Dict[str, Any]) -> web.Response:
        if self.webhook_url:
            return _error(
                409, "Conflict: can't use getUpdates method while webhook is active"
            )
        offset = (
            _as_int(params.get("offset")) if params.get("offset") is not None else None
        )
        limit = _as_int(params.get("limit", 100)) or 100
        wait = min(float(params.get("timeout", 0) or 0), self.max_poll_wait)
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                if offset is not None:
                    # A higher offset confirms (and so forgets) every earlier update.
                    self._pending = [
                        u for u in self._pending if int(u["update_id"]) >= offset
                    ]
                batch = self._pending[:limit]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._new_update is None:
                return web.json_response({"ok": True, "result": batch})
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except asyncio.TimeoutError:
                pass


def _as_int(value: Any) -> int:
    """Telegram ids arrive as ints (JSON) or strings (forms)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _error(
    status: int, description: str, retry_after: int | None = None
) -> web.Response:
    body: Dict[str, Any] = {
        "ok": False,
        "error_code": status,
        "description": description,
    }
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


# ---------------------------------------------------------------------- update builders
_ids = itertools.count(1)


def private_chat(chat_id: int) -> Dict[str, Any]:
    """The ``chat`` object of a private chat."""
    return {"id": chat_id, "type": "private", "first_name": "Test"}


def _message(chat: Dict[str, Any], **content: Any) -> Dict[str, Any]:
    return {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": abs(int(chat["id"])), "is_bot": False, "first_name": "Test"},
        **content,
    }


def text_update(update_id: int, chat_id: int, text: str) -> Dict[str, Any]:
    """An update with a text message in a private chat."""
    return {
        "update_id": update_id,
        "message": _message(private_chat(chat_id), text=text),
    }


def command_update(update_id: int, chat_id: int, command: str) -> Dict[str, Any]:
    """An update with a bot command such as ``/start``."""
    message = _message(private_chat(chat_id), text=command)
    message["entities"] = [
        {"type": "bot_command", "offset": 0, "length": len(command.split()[0])}
    ]
    return {"update_id": update_id, "message": message}


def sticker_update(update_id: int, chat_id: int) -> Dict[str, Any]:
    """An update with a sticker."""
    sticker = {"file_id": "sticker-1", "width": 512, "height": 512, "emoji": "😀"}
    return {
        "update_id": update_id,
        "message": _message(private_chat(chat_id), sticker=sticker),
    }


def location_update(update_id: int, chat_id: int) -> Dict[str, Any]:
    """An update with a location."""
    location = {"latitude": 52.37, "longitude": 4.89}
    return {
        "update_id": update_id,
        "message": _message(private_chat(chat_id), location=location),
    }


def photo_update(update_id: int, chat_id: int, caption: str) -> Dict[str, Any]:
    """An update with a photo and words under it (a caption)."""
    photo = [{"file_id": "photo-1", "width": 90, "height": 90}]
    return {
        "update_id": update_id,
        "message": _message(private_chat(chat_id), photo=photo, caption=caption),
    }


def edited_update(update_id: int, chat_id: int, text: str) -> Dict[str, Any]:
    """An update with an edited text message."""
    message = _message(private_chat(chat_id), text=text)
    message["edit_date"] = int(time.time())
    return {"update_id": update_id, "edited_message": message}


def group_chat(chat_id: int) -> Dict[str, Any]:
    """The ``chat`` object of a group chat (negative id, as Telegram has them)."""
    return {"id": -abs(chat_id), "type": "group", "title": "Testgroep"}


def group_update(
    update_id: int, chat_id: int, text: str, edited: bool = False
) -> Dict[str, Any]:
    """An update with a text message (or an edit of one) in a group chat."""
    message = _message(group_chat(chat_id), text=text)
    if edited:
        message["edit_date"] = int(time.time())
    return {"update_id": update_id, "edited_message" if edited else "message": message}


def group_photo_update(update_id: int, chat_id: int, caption: str) -> Dict[str, Any]:
    """An update with a photo and a caption in a group chat."""
    photo = [{"file_id": "photo-1", "width": 90, "height": 90}]
    message = _message(group_chat(chat_id), photo=photo, caption=caption)
    return {"update_id": update_id, "message": message}


def callback_update(
    update_id: int,
    chat_id: int,
    data: str,
    message_id: int = 1,
    reply_markup: Dict[str, Any] | None = None,
) -> Dict[str, Any]:
    """An update for a press on an inline button with ``callback_data`` ``data``.

    ``message_id`` and ``reply_markup`` describe the message the keyboard is under
    (Telegram sends the message with its keyboard along).
    """
    message = _message(private_chat(chat_id), text="...")
    message["message_id"] = message_id
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cbq-{update_id}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "chat_instance": "ci-1",
            "message": message,
            "data": data,
        },
    }
