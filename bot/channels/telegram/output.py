"""Sending the bot's messages to Telegram, with retries; raises what did not arrive."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

from rasa.core.channels.channel import OutputChannel

from bot.channels.identity import telegram_chat_id
from bot.channels.telegram.api import BotApi, TelegramApiError, is_retryable
from bot.channels.telegram.formatting import (
    MAX_TEXT_CHARS,
    decode_data_uri,
    split_for_telegram,
    strip_markdown,
    to_telegram_html,
)
from bot.channels.telegram.keyboards import (
    CallbackTokens,
    LiveKeyboards,
    button_keys,
    inline_keyboard,
)

logger = logging.getLogger(__name__)

MIN_CALL_TIMEOUT = 3.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the channel tries to deliver one message (one part of a long text).

    Flood control (429, waiting ``retry_after``), 5xx and network errors are tried
    again, at most ``attempts`` times, waiting ``first_delay`` doubling up to
    ``max_delay``; then the text goes once more as plain text (no formatting, no
    buttons). All of it, plain text included, within ``budget`` seconds.
    """

    attempts: int = 4
    budget: float = 20.0
    first_delay: float = 0.5
    max_delay: float = 8.0
    call_timeout: float = 10.0

    def delay(self, failed_attempts: int, error: TelegramApiError) -> float:
        """Seconds to wait after ``failed_attempts`` failures ending in ``error``."""
        if error.retry_after is not None:
            return max(0.0, float(error.retry_after))
        return min(self.first_delay * 2 ** (failed_attempts - 1), self.max_delay)


# Errors that no other form of the message can fix: wrong token, the person blocked
# the bot or the chat is gone.
_HOPELESS = (401, 403, 404)


class TelegramOutput(OutputChannel):
    """Sends the bot's messages with the Bot API; raises when one could not be delivered.

    The caller (``GuardedOutputChannel`` for a turn) records what did not arrive.
    """

    @classmethod
    def name(cls) -> str:
        """Channel name (also used for ``channel: telegram`` response variations)."""
        return "telegram"

    def __init__(
        self,
        api: BotApi,
        tokens: CallbackTokens | None = None,
        policy: RetryPolicy | None = None,
        keyboards: LiveKeyboards | None = None,
    ) -> None:
        """Send through ``api``; long button payloads are kept in ``tokens``.

        Every keyboard that arrived is noted in ``keyboards`` (which ones still count).
        """
        self.api = api
        self.tokens = tokens or CallbackTokens()
        self.policy = policy or RetryPolicy()
        self.keyboards = keyboards or LiveKeyboards()

    async def _call(
        self,
        method: str,
        params: Dict[str, Any],
        deadline: float,
        attempts: int,
        upload: Tuple[str, bytes, str, str] | None = None,
    ) -> Any:
        """Call ``method``, retrying what is worth retrying until ``deadline``."""
        loop = asyncio.get_running_loop()
        if "chat_id" in params:
            # Rasa addresses the conversation ("tg:<chat id>"); Telegram the chat.
            params = {**params, "chat_id": telegram_chat_id(params["chat_id"])}
        failed = 0
        while True:
            remaining = deadline - loop.time()
            timeout = max(MIN_CALL_TIMEOUT, min(self.policy.call_timeout, remaining))
            try:
                return await self.api.call(
                    method, params, upload=upload, timeout=timeout, attempts=1
                )
            except TelegramApiError as error:
                failed += 1
                if not is_retryable(error) or failed >= attempts:
                    raise
                wait = self.policy.delay(failed, error)
                if loop.time() + wait >= deadline:
                    raise
                logger.warning(
                    "Telegram %s failed (%s); trying again in %.1f s.",
                    method,
                    error.status or "not reachable",
                    wait,
                )
                await asyncio.sleep(wait)

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.policy.budget

    async def _send_html(
        self, chat_id: str, text: str, reply_markup: Dict[str, Any] | None = None
    ) -> int | None:
        """Send one part as HTML; when that fails, once more as plain text.

        A formatting error keeps the buttons; any other failure (after the retries)
        sends the bare text, without buttons. Raises when the plain text fails too.
        Returns the id of the message when it carries ``reply_markup``, else None.
        """
        deadline = self._deadline()
        params: Dict[str, Any] = {
            "chat_id": chat_id,
            "text": to_telegram_html(text),
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
        }
        if reply_markup:
            params["reply_markup"] = reply_markup
        try:
            sent = await self._call(
                "sendMessage", params, deadline, self.policy.attempts
            )
            return _message_id(sent) if reply_markup else None
        except TelegramApiError as error:
            if error.status in _HOPELESS:
                raise
            parse_error = error.status == 400 and "parse" in error.description.lower()
            logger.warning(
                "Telegram sendMessage failed (%s); sending plain text.", error
            )
        plain: Dict[str, Any] = {
            "chat_id": chat_id,
            "text": strip_markdown(text)[:MAX_TEXT_CHARS],
            "disable_web_page_preview": True,
        }
        if parse_error and reply_markup:
            plain["reply_markup"] = reply_markup
        # The first try always happens, even when the retries used up the time.
        sent = await self._call("sendMessage", plain, deadline, 2)
        return _message_id(sent) if "reply_markup" in plain else None

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Send text, formatted and split within Telegram's limit."""
        for part in split_for_telegram(text or ""):
            await self._send_html(recipient_id, part)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: List[Dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Send text with an inline keyboard under its last part."""
        parts = split_for_telegram(text or "") or ["…"]
        keyboard = inline_keyboard(
            buttons, lambda payload: self.tokens.encode(recipient_id, payload)
        )
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            message_id = await self._send_html(
                recipient_id, part, keyboard if last else None
            )
            if last and message_id is not None:
                self.keyboards.sent(
                    telegram_chat_id(recipient_id),
                    message_id,
                    dict(button_keys(buttons)),
                )

    async def send_image_url(
        self, recipient_id: str, image: str, **kwargs: Any
    ) -> None:
        """Upload a ``data:`` image with ``sendPhoto``; http(s) URLs are passed on."""
        if image.startswith("data:"):
            decoded = decode_data_uri(image)
            if decoded is None:
                logger.error("Image is not a valid base64 data URI; not sent.")
                return
            data, content_type = decoded
            extension = content_type.split("/")[-1].split("+")[0] or "png"
            upload = ("photo", data, f"hechtwijzer.{extension}", content_type)
            await self._call(
                "sendPhoto",
                {"chat_id": recipient_id},
                self._deadline(),
                self.policy.attempts,
                upload=upload,
            )
        elif image.startswith(("http://", "https://")):
            await self._call(
                "sendPhoto",
                {"chat_id": recipient_id, "photo": image},
                self._deadline(),
                self.policy.attempts,
            )
        else:
            logger.error("Image is neither a data URI nor an http(s) URL; not sent.")

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Custom payloads are for other channels: never shown raw on Telegram."""
        logger.debug(
            "Custom JSON message not shown on Telegram (keys %s).", sorted(json_message)
        )

    async def send_attachment(
        self, recipient_id: str, attachment: str, **kwargs: Any
    ) -> None:
        """Send an attachment link as text."""
        await self.send_text_message(recipient_id, str(attachment))


def _message_id(sent: Any) -> int | None:
    """The ``message_id`` of a message the Bot API returned."""
    value = sent.get("message_id") if isinstance(sent, dict) else None
    return value if isinstance(value, int) else None
