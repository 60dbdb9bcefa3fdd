"""Socket.io channel with Hechtwijzer's guard (the web widget talks to this).

Keeps Rasa 3.6's socket.io protocol (``session_request`` / ``session_confirm``,
``user_uttered`` / ``bot_uttered``, session persistence through rooms) and adds:
the shared ``MessageGuard``, CORS limited to ``HW_CORS_ORIGINS``, robustness
against malformed events, and no user text in the logs.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import speedups
from bot.channels.guard import (
    DELETE_MARKER,
    GuardedOutputChannel,
    MessageGuard,
    configure_action_timeout,
)

logger = logging.getLogger(__name__)

SESSION_ID_MAX = 128


def allowed_origins() -> List[str]:
    """Browser origins allowed to open a socket (``HW_CORS_ORIGINS``, comma-separated)."""
    raw = os.environ.get("HW_CORS_ORIGINS", "")
    return [origin.strip() for origin in raw.split(",") if origin.strip()]


def valid_session_id(value: Any) -> Optional[str]:
    """Accept a client's session id only when it is a short plain string."""
    if isinstance(value, str) and 0 < len(value) <= SESSION_ID_MAX:
        if all(c.isalnum() or c in "-_" for c in value):
            return value
    return None


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel, guarded."""

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
        configure_action_timeout()
        speedups.install()
        guard = MessageGuard()
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=allowed_origins() or []
        )
        bp = SocketBlueprint(sio, self.socketio_path, "hechtwijzer_socketio", __name__)
        self.sio = sio
        agent_holder: Dict[str, Any] = {}

        @bp.listener("after_server_start")
        async def remember_agent(app: Any, _: Any) -> None:
            agent_holder["app"] = app

        def agent() -> Any:
            app = agent_holder.get("app")
            return getattr(app.ctx, "agent", None) if app is not None else None

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict]) -> bool:
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = valid_session_id(requested) or uuid.uuid4().hex
            if self.session_persistence:
                # python-socketio 5.8 (locked): enter_room is synchronous here.
                sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit(
                "session_confirm", session_id, room=sid, namespace=self.namespace
            )

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                data = {"message": data}
            if self.session_persistence:
                sender_id = valid_session_id(data.get("session_id"))
                if sender_id is None:
                    logger.warning("socket.io message without a valid session id.")
                    return
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key)
            text = await guard.prepare(agent(), sender_id, data.get("message"))
            output = GuardedOutputChannel(SocketIOOutput(sio, self.bot_message_evt))
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        output,
                        sender_id,
                        input_channel=self.name(),
                        metadata=metadata if isinstance(metadata, dict) else None,
                    )
                )
            except Exception:  # noqa: BLE001 - the person must get an answer
                logger.exception("socket.io message handling failed (text not logged).")
            await guard.finish(agent(), sender_id, output, text)
            if output.delete_requested:
                # Tell the widget to forget its copy and session id as well.
                await sio.emit(
                    self.bot_message_evt,
                    DELETE_MARKER,
                    room=sender_id,
                    namespace=self.namespace,
                )

        return bp
