"""The channel's HTTP side: the webhook routes and registering with Telegram."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.telegram.api import (
    ALLOWED_UPDATES,
    SECRET_HEADER,
    BotApi,
    TelegramApiError,
    TelegramSettings,
)
from bot.channels.telegram.content import load_commands

if TYPE_CHECKING:  # pragma: no cover
    from bot.channels.pipeline import OnNewMessage
    from bot.channels.telegram.channel import TelegramInput

logger = logging.getLogger(__name__)

_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def register_with_telegram(api: BotApi, settings: TelegramSettings) -> bool:
    """Set the webhook (when a URL is configured) and the command menu.

    Never raises: when Telegram cannot be reached the bot keeps running and the
    problem is logged as an error. Returns True when everything succeeded.
    """
    if not settings.enabled:
        return False
    ok = True
    if not _SECRET_PATTERN.match(settings.secret_token):
        logger.error(
            "TELEGRAM_SECRET may only hold A-Z, a-z, 0-9, _ and - (1-256 characters)."
        )
    if settings.webhook_url:
        if not settings.webhook_url.startswith("https://"):
            logger.warning("Telegram only delivers webhooks to https:// URLs.")
        params = {
            "url": settings.webhook_url,
            "secret_token": settings.secret_token,
            "allowed_updates": ALLOWED_UPDATES,
            "drop_pending_updates": False,
        }
        try:
            await api.call("setWebhook", params, timeout=15)
            logger.info("Telegram webhook registered.")
        except TelegramApiError as error:
            ok = False
            logger.error(
                "TELEGRAM: could not register the webhook (%s). The bot keeps "
                "running; Telegram messages will not arrive until this works.",
                error,
            )
    else:
        logger.info(
            "TELEGRAM_WEBHOOK_URL is empty: no webhook registered "
            "(use polling mode: ./hw telegram-poll)."
        )
    commands = [
        {"command": c.command, "description": c.description} for c in load_commands()
    ]
    try:
        await api.call("setMyCommands", {"commands": commands}, timeout=15)
    except TelegramApiError as error:
        ok = False
        logger.error("TELEGRAM: could not set the command menu (%s).", error)
    return ok


def webhook_blueprint(
    channel: TelegramInput, on_new_message: OnNewMessage
) -> Blueprint:
    """Routes ``GET /`` (health) and ``POST /webhook`` under ``/webhooks/telegram``."""
    bp = Blueprint("hechtwijzer_telegram", __name__)
    if not channel.settings.enabled:
        logger.info(
            "TELEGRAM_TOKEN is empty: the Telegram channel is off (routes answer 503)."
        )

    @bp.listener("after_server_start")
    async def start(app: Any, _: Any) -> None:
        if channel.settings.enabled:
            channel.spawn(channel.register_with_telegram())

    @bp.listener("before_server_stop")
    async def stop(app: Any, _: Any) -> None:
        try:
            await asyncio.wait_for(channel.drain(), 30)
        except asyncio.TimeoutError:
            logger.warning("Stopped with Telegram updates still in progress.")
        await channel.api.close()

    @bp.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        if not channel.settings.enabled:
            return response.json({"status": "disabled"}, status=503)
        return response.json({"status": "ok"})

    @bp.route("/webhook", methods=["POST"])
    async def webhook(request: Request) -> HTTPResponse:
        if not channel.settings.enabled:
            return response.json({"status": "disabled"}, status=503)
        if not channel.secret_matches(request.headers.get(SECRET_HEADER)):
            logger.warning(
                "Telegram webhook call with a wrong or missing secret refused."
            )
            return response.json({"status": "forbidden"}, status=403)
        try:
            update = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return response.json({"status": "invalid json"}, status=400)
        reason = channel.accept(update)
        if reason == "invalid":
            return response.json({"status": "invalid update"}, status=400)
        if reason == "duplicate":
            # Telegram repeats an update it got no answer for in time: answer
            # once the first delivery is processed, without processing it again.
            await channel.wait_if_in_progress(update["update_id"])
            return response.json({"status": "duplicate"})
        agent = getattr(request.app.ctx, "agent", None)
        # 200 only after the update was processed: a restart before that makes
        # Telegram (or the poller) deliver it again instead of losing it.
        await channel.handle_update(update, on_new_message, agent)
        return response.json({"status": "processed"})

    return bp
