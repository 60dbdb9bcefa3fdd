"""Button presses: which still count, marking the choice, retiring old keyboards.

As in the widget, a choice is final: the pressed keyboard becomes one key
"✓ <choice>" that does nothing (``editMessageReplyMarkup``), and keyboards the bot
moved on from are taken off their messages. A press on an old keyboard gets a short
pop-up (``answerCallbackQuery``) and has no other effect.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict

from bot.channels.telegram.api import BotApi, TelegramApiError
from bot.channels.telegram.content import notice
from bot.channels.telegram.keyboards import (
    CHOSEN_DATA,
    chosen_keyboard,
    latest_keyboard_payloads,
)
from bot.channels.telegram.output import TelegramOutput
from bot.channels.telegram.updates import Incoming

logger = logging.getLogger(__name__)

Spawn = Callable[[Awaitable[Any]], "asyncio.Task[Any]"]


class ButtonPresses:
    """Handles the button presses of the channel's chats."""

    def __init__(self, api: BotApi, output: TelegramOutput, spawn: Spawn) -> None:
        """Use the output's tokens and keyboard memory; edits run via ``spawn``."""
        self.api = api
        self.tokens = output.tokens
        self.keyboards = output.keyboards
        self.spawn = spawn

    async def answer(self, params: Dict[str, Any]) -> None:
        """``answerCallbackQuery``: stops the button's spinner (a failure is logged)."""
        try:
            await self.api.call("answerCallbackQuery", params, timeout=10)
        except TelegramApiError as error:
            logger.error("Telegram answerCallbackQuery failed: %s", error)

    async def take(self, incoming: Incoming, sender_id: str, agent: Any) -> str | None:
        """Acknowledge a button press; the payload to read, or None when it is spent.

        A press on a keyboard that still counts is marked on its message ("✓ …")
        and the chat's other keyboards are taken off. A press on an old keyboard
        (the bot moved on, or its token is gone) gets a short pop-up, loses its
        keyboard, and nothing else happens.
        """
        answer: Dict[str, Any] = {"callback_query_id": incoming.callback_id}
        if incoming.text == CHOSEN_DATA:  # the "✓ …" key of an earlier choice
            await self.answer(answer)
            return None
        chat_id = incoming.chat_id
        assert chat_id is not None
        chat = str(chat_id)
        payload = self.tokens.decode(sender_id, incoming.text)
        if payload is None or not await self.counts(chat, sender_id, payload, agent):
            answer["text"] = notice("expired_button")
            await self.answer(answer)
            self.edit(chat_id, incoming.message_id, None)
            return None
        await self.answer(answer)
        title, others = self.keyboards.press(chat, incoming.message_id, payload)
        title = title or incoming.button_title
        mark = chosen_keyboard(title) if title else None
        self.edit(chat_id, incoming.message_id, mark)
        for message_id in others:
            self.edit(chat_id, message_id, None)
        return payload

    async def counts(self, chat: str, sender_id: str, payload: str, agent: Any) -> bool:
        """Whether a press of ``payload`` still counts in this chat.

        Words (the check-in question's "ja", "soms", "nee") are read like typed text,
        always: they may be an answer about safety. A ``/payload`` counts when it is
        on a keyboard of the bot's latest turn with buttons and none was pressed yet;
        this server's memory says so, else the stored conversation, else it counts
        (and the guard decides, as for any payload).
        """
        if not payload.startswith("/"):
            return True
        live = self.keyboards.is_live(chat, payload)
        if live is not None:
            return live
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return True
        try:
            tracker = await store.retrieve(sender_id)
        except Exception:  # noqa: BLE001 - without the history the guard decides
            logger.warning("Conversation unreadable for a button press.", exc_info=True)
            return True
        latest = latest_keyboard_payloads(tracker.events) if tracker else None
        return latest is None or payload in latest

    def edit(
        self, chat_id: int, message_id: int | None, markup: Dict[str, Any] | None
    ) -> None:
        """Replace (or, with None, take off) a message's keyboard, in the background.

        Best effort: a message that is gone or already shows this is no problem.
        """
        if message_id is None:
            return
        params: Dict[str, Any] = {"chat_id": chat_id, "message_id": message_id}
        if markup is not None:
            params["reply_markup"] = markup

        async def edit() -> None:
            try:
                await self.api.call(
                    "editMessageReplyMarkup", params, timeout=10, attempts=1
                )
            except TelegramApiError as error:
                logger.info("Telegram keyboard not changed: %s", error)

        self.spawn(edit())

    def retire(self, chat_id: int) -> None:
        """Take the keyboards the bot moved on from off their messages."""
        for message_id in self.keyboards.take_retired(str(chat_id)):
            self.edit(chat_id, message_id, None)
