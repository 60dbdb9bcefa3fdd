"""Socket.io channel with Hechtwijzer's guard (the web widget talks to this).

Keeps Rasa 3.6's socket.io protocol (``session_request`` / ``session_confirm``,
``user_uttered`` / ``bot_uttered``, the session's room) and adds:

* server-issued, signed session ids (``bot/channels/identity.py``): a
  ``session_request`` with an id that is not validly signed gets a fresh one; each
  socket serves exactly one confirmed session, joins only that session's room, and
  ``user_uttered`` always speaks for that session, never for an id in the message
  (sessions are always kept: ``session_persistence: false`` changes nothing);
* the shared guarded turn (``bot/channels/pipeline.py``): the guard's input and
  output rules, no client metadata, and rate limits per client address and per
  conversation; a refused message is not processed and the socket gets a
  ``bot_uttered`` with a kind Dutch text; a possible crisis is never refused;
* a message-size cap (``HW_MAX_REQUEST_BYTES``), origins limited to
  ``HW_CORS_ORIGINS`` (the bot's own origin when that is empty), robustness against
  malformed events, and no user text in the logs;
* a question's progress as data: a bot message whose action gave it ``progress``
  (``{"number": n, "total": m}``) reaches the widget as ``bot_uttered`` with
  ``metadata.progress``, so the widget needs no reading of the text;
* closed websockets end quietly (see :func:`attach_engineio`).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.identity import SessionSigner, web_sender_id
from bot.channels.limits import apply_request_limit, max_request_bytes
from bot.channels.pipeline import TurnPipeline, TurnRequest
from bot.channels.ratelimit import client_address
from hechtwijzer_core.contract import DELETE_MARKER

logger = logging.getLogger(__name__)

SESSION_KEY = "hw_sender_id"
ADDRESS_KEY = "hw_address"
PROGRESS_KEY = "progress"
ENGINEIO_METHODS = ["GET", "POST", "OPTIONS"]


def attach_engineio(app: Any, sio: AsyncServer, socketio_path: str) -> None:
    """Route engine.io's requests on ``app`` as a handler that may end a websocket.

    python-engineio's Sanic driver adds its ``handle_request`` as a plain HTTP route.
    A websocket is served inside that request, and when it closes there is no HTTP
    response left to give, so the handler returns None; Sanic then logged "Invalid
    response type None (need HTTPResponse)" with a traceback for every closed socket.
    Sanic accepts None from handlers marked ``is_websocket`` (as its own websocket
    routes are); polling requests still return their HTTP responses as before.
    """
    engine = sio.eio

    async def engineio_request(request: Request) -> Optional[HTTPResponse]:
        result: Optional[HTTPResponse] = await engine.handle_request(request)
        return result

    engineio_request.is_websocket = True  # type: ignore[attr-defined]
    app.add_route(
        engineio_request,
        f"/{socketio_path.strip('/')}/",
        methods=ENGINEIO_METHODS,
        name="hw_engineio",
    )
    app.enable_websocket()


class CappedSocketBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint; registering it caps the app's request sizes.

    At registration, before the server starts: Sanic fixes its websocket frame limit
    when it creates the server, before any ``before_server_start`` listener runs.
    """

    def register(self, app: Any, options: Dict[str, Any]) -> None:
        """Cap bodies and frames (``HW_MAX_REQUEST_BYTES``), attach, register."""
        apply_request_limit(app)
        # Rasa's SocketBlueprint.register would attach engine.io its own way.
        attach_engineio(app, self.ctx.sio, self.ctx.socketio_path)
        Blueprint.register(self, app, options)


def progress_metadata(raw: Any) -> Optional[Dict[str, Dict[str, int]]]:
    """``{"progress": {"number": n, "total": m}}`` for a valid progress, else None."""
    if not isinstance(raw, dict):
        return None
    number, total = raw.get("number"), raw.get("total")
    if not isinstance(number, int) or not isinstance(total, int):
        return None
    if isinstance(number, bool) or isinstance(total, bool) or not 0 < number <= total:
        return None
    return {PROGRESS_KEY: {"number": number, "total": total}}


class ProgressSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output; a question's progress goes along as metadata.

    Rasa hands the bot message's own metadata (``progress`` from the action) to the
    send methods as keyword arguments; the first socket.io message of that bot
    message (the one that starts with the progress line) carries it as
    ``metadata.progress``. One instance serves one turn, whose sends are sequential.
    """

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        """Emit ``bot_message_evt`` on ``sio``."""
        super().__init__(sio, bot_message_evt)
        self._metadata: Optional[Dict[str, Any]] = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        """Emit one message, with the pending metadata if it is a text."""
        if self._metadata is not None and isinstance(response, dict):
            if "text" in response:
                response = {**response, "metadata": self._metadata}
                self._metadata = None
        await super()._send_message(socket_id, response)

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Send text; its first part carries the progress, if any."""
        self._metadata = progress_metadata(kwargs.get(PROGRESS_KEY))
        try:
            await super().send_text_message(recipient_id, text, **kwargs)
        finally:
            self._metadata = None

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: List[Dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Send text and buttons; the first part carries the progress, if any."""
        self._metadata = progress_metadata(kwargs.get(PROGRESS_KEY))
        try:
            await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        finally:
            self._metadata = None


def allowed_origins() -> Optional[List[str]]:
    """Browser origins allowed to open a socket (``HW_CORS_ORIGINS``, comma-separated).

    None when the setting is empty or missing: python-engineio then allows only the
    bot's own origin (the page's scheme and host, also behind a proxy that sets
    ``X-Forwarded-Proto``/``-Host``). Never ``[]``, which would switch the check off.
    """
    raw = os.environ.get("HW_CORS_ORIGINS", "")
    origins = [origin.strip() for origin in raw.split(",") if origin.strip()]
    return origins or None


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel, guarded, with signed sessions."""

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's channel name so the widget protocol stays standard."""
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Build from ``credentials.yml``."""
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", True),
            credentials.get("socketio_path", "/socket.io"),
        )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> SocketBlueprint:
        """The socket.io server and its event handlers."""
        pipeline = TurnPipeline(self.name())
        signer = SessionSigner.from_environment()
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=allowed_origins(),
            max_http_buffer_size=max_request_bytes(),
        )
        bp = CappedSocketBlueprint(
            sio, self.socketio_path, "hechtwijzer_socketio", __name__
        )
        self.sio = sio
        agent_holder: Dict[str, Any] = {}

        @bp.listener("after_server_start")
        async def remember_agent(app: Any, _: Any) -> None:
            agent_holder["app"] = app

        def agent() -> Any:
            app = agent_holder.get("app")
            return getattr(app.ctx, "agent", None) if app is not None else None

        async def confirmed_sender(sid: str) -> Optional[str]:
            session = await sio.get_session(sid, namespace=self.namespace)
            sender_id = session.get(SESSION_KEY) if session else None
            return sender_id if isinstance(sender_id, str) else None

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict]) -> bool:
            # The client's address, for the rate limit per address.
            address = client_address(environ.get("sanic.request"))
            await sio.save_session(
                sid, {ADDRESS_KEY: address}, namespace=self.namespace
            )
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            if session.get(SESSION_KEY):
                # One socket, one session: a second request gets the same answer.
                await sio.emit(
                    "session_confirm",
                    session["hw_session_id"],
                    room=sid,
                    namespace=self.namespace,
                )
                return
            requested = data.get("session_id") if isinstance(data, dict) else None
            token = signer.verify(requested)
            if token is None:
                session_id = signer.issue()
                token = signer.verify(session_id)
                assert token is not None
                if requested:
                    logger.info("socket.io session id not validly signed: new session.")
            else:
                session_id = str(requested)
            sender_id = web_sender_id(token)
            await sio.save_session(
                sid,
                {
                    SESSION_KEY: sender_id,
                    "hw_session_id": session_id,
                    ADDRESS_KEY: session.get(ADDRESS_KEY),
                },
                namespace=self.namespace,
            )
            # python-socketio 5.8 (locked): enter_room is synchronous here. The room
            # is the sender id, where Rasa's SocketIOOutput sends the replies.
            sio.enter_room(sid, sender_id, namespace=self.namespace)
            await sio.emit(
                "session_confirm", session_id, room=sid, namespace=self.namespace
            )

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            sender_id = await confirmed_sender(sid)
            if sender_id is None:
                logger.warning("socket.io message before a confirmed session: ignored.")
                return
            if not isinstance(data, dict):
                data = {"message": data}
            # Any session id in the message is ignored: the socket's session decides.
            session = await sio.get_session(sid, namespace=self.namespace)
            outcome = await pipeline.handle(
                agent(),
                TurnRequest(
                    sender_id,
                    data.get("message"),
                    address=session.get(ADDRESS_KEY),
                    metadata=data.get(self.metadata_key),
                ),
                ProgressSocketIOOutput(sio, self.bot_message_evt),
                on_new_message,
            )
            if outcome.refused:
                # Nothing of it is processed or stored; this socket reads why.
                await sio.emit(
                    self.bot_message_evt,
                    {"text": pipeline.refusal_text()},
                    room=sid,
                    namespace=self.namespace,
                )
            elif outcome.deleted:
                # Tell the widget to forget its copy and session id as well.
                await sio.emit(
                    self.bot_message_evt,
                    dict(DELETE_MARKER),
                    room=sender_id,
                    namespace=self.namespace,
                )

        return bp
