"""The real REST and socket.io channels in a small Sanic app, without a model.

For settings the shared stack does not run with (production profile, REST token,
empty ``HW_CORS_ORIGINS``, an unreachable database): the channels and Rasa's own
CORS set-up are the real ones, registered the way ``rasa run`` registers them; only
the agent is a stand-in that echoes each message and records what reached it
(``GET /received``). Settings come from the environment, as for the real server.

Run: ``python -m tests.bot.channel_app --port 5099 [--db-url URL]``
"""

from __future__ import annotations

import argparse
import os
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage, register
from rasa.server import configure_cors
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import GuardedRestInput
from bot.channels.socketio import GuardedSocketIOInput

RECEIVED: List[Dict[str, Any]] = []


class Store:
    """Just enough of a tracker store for the health check (an engine)."""

    def __init__(self, db_url: str) -> None:
        """A lazy engine: nothing is contacted before the health check."""
        self.engine = sa.create_engine(db_url)


class EchoAgent:
    """Stands in for Rasa's agent: records each message and echoes it."""

    def __init__(self, db_url: Optional[str]) -> None:
        """Without ``db_url`` there is no tracker store (health: unavailable)."""
        self.tracker_store = Store(db_url) if db_url else None
        self.domain = None
        self.action_endpoint = None

    async def handle_message(self, message: UserMessage) -> None:
        """Record what the channel handed over; answer with an echo."""
        RECEIVED.append(
            {
                "sender_id": message.sender_id,
                "text": message.text,
                "metadata": message.metadata,
            }
        )
        assert message.output_channel is not None
        await message.output_channel.send_text_message(
            message.sender_id or "", f"echo: {message.text}"
        )


def build_app(db_url: Optional[str]) -> Sanic:
    """The app with both channels, CORS as ``rasa run`` configures it."""
    app = Sanic("hechtwijzer_channel_app")
    origins = [o.strip() for o in os.environ.get("HW_CORS_ORIGINS", "").split(",")]
    configure_cors(app, [o for o in origins if o] or None)
    channels = [
        GuardedRestInput(),
        GuardedSocketIOInput.from_credentials({"session_persistence": True}),
    ]
    register(channels, app, route="/webhooks/")
    app.ctx.agent = EchoAgent(db_url)

    @app.get("/received")
    async def received(_: Request) -> HTTPResponse:
        return response.json(RECEIVED)

    return app


def main() -> None:
    """Serve on 127.0.0.1:<port>."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db-url")
    args = parser.parse_args()
    build_app(args.db_url).run(
        host="127.0.0.1", port=args.port, access_log=False, workers=1
    )


if __name__ == "__main__":
    main()
