"""Telegram channel for Hechtwijzer: safe webhook, inline buttons, photos, commands.

Differences from Rasa's stock ``TelegramInput``:

- every update must carry the ``X-Telegram-Bot-Api-Secret-Token`` header (compared in
  constant time; 403 otherwise), and the webhook is registered with that secret;
- the Bot API base URL is configurable (a local Bot API server or a test double), and
  Telegram is never called to check an incoming update;
- each ``update_id`` is handled once, and Telegram gets its 200 only after the update
  was processed (a restart in between makes Telegram deliver it again instead of
  losing it); errors are logged and never turn into a 5xx;
- a message counts as delivered only when the Bot API accepted it: flood control
  (429, ``retry_after``), 5xx and network errors are retried within a bounded time,
  then the text goes once more as plain text; what still fails raises, so the shared
  guard knows and sends undelivered help lines again;
- button presses are acknowledged (``answerCallbackQuery``), "typing…" is shown while
  the bot thinks, buttons become an inline keyboard (long payloads are mapped to short
  tokens: ``callback_data`` is capped at 64 bytes), ``data:`` images are uploaded with
  ``sendPhoto``, the bot's simple markdown becomes Telegram HTML, long texts are split;
- a choice is final, as in the widget: a pressed keyboard becomes one key
  "✓ <choice>", keyboards the bot moved on from are taken off their messages, and a
  press on an old keyboard gets a short pop-up and has no effect (``presses``);
- ``/start`` (before the introduction) and ``/privacy`` show what is stored, for how
  long (``HW_RETENTION_DAYS``) and how to delete it, as the widget's first message;
- it stays inert (routes answer 503) when no token is configured, and keeps running,
  loudly logged, when Telegram cannot be reached at start-up;
- every turn is the shared guarded turn (``bot/channels/pipeline.py``); the channel
  keeps its transport: updates, commands, buttons, edits, groups, "typing…";
- per chat at most ``HW_QUEUE_PER_CONVERSATION`` updates queued and a token bucket
  of messages a minute (``bot/channels/ratelimit.py``): a refused update is not
  processed and the chat gets one notice (at most one a minute), never one per
  update; text the crisis detector flags is never refused.

Deliberate choices (see ``docs/telegram.md``): edited messages are not processed (an
edit of an old answer would otherwise be read as the answer to the current question);
the person gets a short note. Group chats get one note that the bot only talks in
private chats, and the bot leaves the group: nothing from a group reaches Rasa.

Safety comes before both choices and before commands: text that the crisis detector
flags (level ``crisis`` or ``check``) after a command ("/start ik wil niet meer
leven") or in an edited message goes to Rasa as an ordinary typed message, so the
crisis handling runs; in a group such text gets the help lines before the note.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections import OrderedDict
from typing import Any, AsyncIterator, Awaitable, Dict, Mapping, Set

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint

from bot.channels.guard import GuardedOutputChannel, MessageGuard
from bot.channels.identity import telegram_chat_id, telegram_sender_id
from bot.channels.pipeline import OnNewMessage, TurnPipeline, TurnRequest
from bot.channels.ratelimit import RateLimiter, shared_limiter
from bot.channels.telegram.api import BotApi, TelegramApiError, TelegramSettings
from bot.channels.telegram.content import BotCommand, load_commands, notice
from bot.channels.telegram.output import TelegramOutput
from bot.channels.telegram.presses import ButtonPresses
from bot.channels.telegram.updates import (
    Incoming,
    RecentIds,
    _command_name,
    command_argument,
    parse_update,
    screen,
)
from bot.channels.telegram.webhook import register_with_telegram, webhook_blueprint
from bot.settings import retention_days

logger = logging.getLogger(__name__)

TYPING_REFRESH_SECONDS = 4.0
LIMIT_NOTICE_SECONDS = 60.0  # one rate-limit notice per chat per minute at most


class TelegramInput(InputChannel):
    """Webhook channel: ``POST /webhooks/telegram/webhook``."""

    @classmethod
    def name(cls) -> str:
        """URL prefix ``/webhooks/telegram/``."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """Build from ``credentials.yml``; an empty token makes the channel inert."""
        return cls(TelegramSettings.from_mapping(credentials))

    def __init__(
        self,
        settings: TelegramSettings | None = None,
        guard: MessageGuard | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        """Create the channel (no network activity until the server starts)."""
        self.settings = settings or TelegramSettings()
        self._limiter = limiter
        self.pipeline = TurnPipeline(self.name(), guard, lambda: self.limiter)
        self._limit_noticed: OrderedDict[int, float] = OrderedDict()
        self.api = BotApi(self.settings.access_token, self.settings.api_base_url)
        self.output = TelegramOutput(self.api)
        self.presses = ButtonPresses(self.api, self.output, self.spawn)
        self.seen_updates = RecentIds(10_000)
        self.group_notified = RecentIds(10_000)
        self._tasks: Set[asyncio.Task[Any]] = set()
        self._in_progress: Dict[int, asyncio.Task[Any]] = {}
        self._chat_locks: Dict[int, asyncio.Lock] = {}
        self._chat_users: Dict[int, int] = {}
        self._commands: Dict[str, BotCommand] | None = None

    # ------------------------------------------------------------------ helpers
    @property
    def guard(self) -> MessageGuard:
        """The input and output rules of this channel's turns."""
        return self.pipeline.guard

    @property
    def command_specs(self) -> Dict[str, BotCommand]:
        """Command name → command (loaded lazily)."""
        if self._commands is None:
            self._commands = {c.command: c for c in load_commands()}
        return self._commands

    @property
    def commands(self) -> Dict[str, str]:
        """Command name → trusted payload ('' for a command that only sends a note)."""
        return {name: c.payload for name, c in self.command_specs.items()}

    def get_output_channel(self) -> OutputChannel:
        """The output channel for Rasa's proactive messages (failures are logged)."""
        return GuardedOutputChannel(self.output)

    def secret_matches(self, header_value: str | None) -> bool:
        """Constant-time check of the webhook secret header."""
        expected = self.settings.secret_token.encode("utf-8")
        given = (header_value or "").encode("utf-8", "replace")
        return bool(expected) and hmac.compare_digest(given, expected)

    def spawn(self, coroutine: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run ``coroutine`` as a task, keeping a reference until it ends."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def handle_update(
        self, update: Mapping[str, Any], on_new_message: OnNewMessage, agent: Any = None
    ) -> None:
        """Process an accepted update and return only when it is done.

        The work runs in its own task and is awaited shielded: when the caller goes
        away (Telegram or the poller gave up waiting, the connection dropped) the
        update is still finished, not cut off halfway through a reply. A second
        delivery of the same update meanwhile waits for this one (see ``webhook``).
        """
        update_id = int(update["update_id"])
        task = self.spawn(self.process_update(update, on_new_message, agent))
        self._in_progress[update_id] = task
        task.add_done_callback(lambda _: self._in_progress.pop(update_id, None))
        await asyncio.shield(task)

    async def wait_if_in_progress(self, update_id: int) -> None:
        """Wait until an update that is still being processed is done."""
        task = self._in_progress.get(update_id)
        if task is not None:
            await asyncio.shield(task)

    async def drain(self) -> None:
        """Wait for every background update to finish (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @contextlib.asynccontextmanager
    async def _chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """One update at a time per chat, in arrival order."""
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._chat_users[chat_id] = self._chat_users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._chat_users[chat_id] -= 1
            if self._chat_users[chat_id] <= 0:
                self._chat_users.pop(chat_id, None)
                self._chat_locks.pop(chat_id, None)

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" now and every few seconds until the block ends."""
        params = {"chat_id": chat_id, "action": "typing"}
        with contextlib.suppress(TelegramApiError):
            await self.api.call("sendChatAction", params, timeout=5, attempts=1)

        async def refresh() -> None:
            while True:
                await asyncio.sleep(TYPING_REFRESH_SECONDS)
                with contextlib.suppress(TelegramApiError):
                    await self.api.call("sendChatAction", params, timeout=5, attempts=1)

        task = asyncio.ensure_future(refresh())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _safe_call(self, method: str, params: Dict[str, Any]) -> None:
        try:
            await self.api.call(method, params, timeout=10)
        except TelegramApiError as error:
            logger.error("Telegram %s failed: %s", method, error)

    # ------------------------------------------------------------------ start-up
    async def register_with_telegram(self) -> bool:
        """Set the webhook and the command menu; never raises (see ``webhook``)."""
        return await register_with_telegram(self.api, self.settings)

    # ------------------------------------------------------------------ updates
    def accept(self, update: Any) -> str | None:
        """Validate and dedupe an update; returns why it is not processed, or None."""
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return "invalid"
        if self.seen_updates.check_and_add(update["update_id"]):
            return "duplicate"
        return None

    async def process_update(
        self, update: Mapping[str, Any], on_new_message: OnNewMessage, agent: Any = None
    ) -> None:
        """Handle one accepted update; errors are logged, never raised."""
        try:
            incoming = parse_update(update, self.commands)
            if incoming.kind == "ignore" or incoming.chat_id is None:
                if incoming.callback_id:
                    await self._safe_call(
                        "answerCallbackQuery",
                        {"callback_query_id": incoming.callback_id},
                    )
                return
            if not await self._admit(incoming):
                return
            with self.pipeline.running(telegram_sender_id(incoming.chat_id)):
                async with self._chat_lock(incoming.chat_id):
                    await self._process(incoming, on_new_message, agent)
        except Exception:  # noqa: BLE001 - a failed update must never crash the channel
            logger.exception(
                "Telegram update %s failed (text not logged).", update.get("update_id")
            )

    @property
    def limiter(self) -> RateLimiter:
        """The rate limiter (the server's shared one unless one was given)."""
        if self._limiter is None:
            self._limiter = shared_limiter()
        return self._limiter

    async def _admit(self, incoming: Incoming) -> bool:
        """Within the chat's limits (queued updates, messages a minute), or a crisis.

        A refused update is not processed; the chat gets one notice a minute at most,
        not one per update. Text the crisis detector flags is never refused.
        """
        chat_id = incoming.chat_id
        assert chat_id is not None
        text = "" if incoming.kind == "button" else incoming.text
        if await self.pipeline.admit(telegram_sender_id(chat_id), text):
            return True
        if incoming.callback_id:
            await self._safe_call(
                "answerCallbackQuery", {"callback_query_id": incoming.callback_id}
            )
        now = asyncio.get_running_loop().time()
        last = self._limit_noticed.get(chat_id)
        if last is None or now - last >= LIMIT_NOTICE_SECONDS:
            self._limit_noticed[chat_id] = now
            self._limit_noticed.move_to_end(chat_id)
            while len(self._limit_noticed) > 10_000:
                self._limit_noticed.popitem(last=False)
            await self._notify(chat_id, self.pipeline.refusal_text())
        return False

    async def _process(
        self, incoming: Incoming, on_new_message: OnNewMessage, agent: Any
    ) -> None:
        chat_id = incoming.chat_id
        assert chat_id is not None
        sender_id = telegram_sender_id(chat_id)
        raw_text = incoming.text
        trusted_payload = incoming.trusted_payload
        if incoming.kind == "button":
            payload = await self.presses.take(incoming, sender_id, agent)
            if payload is None:
                return
            raw_text = payload
        elif incoming.kind == "group":
            await self._handle_group(incoming)
            return
        elif incoming.kind == "edited":
            # An edit is read only when it may be a person in crisis; then it is
            # answered as a new message, so the crisis handling runs.
            words = self._typed_words(incoming.text)
            if not await self.pipeline.must_reach_rasa(words):
                await self._notify(chat_id, notice("edited_message"))
                return
            raw_text, trusted_payload = words, None
        elif incoming.kind == "command":
            # "/start ik wil niet meer leven": the words matter more than the command.
            argument = command_argument(incoming.text)
            if argument and await self.pipeline.must_reach_rasa(argument):
                raw_text, trusted_payload = argument, None
            else:
                command = self.command_specs[_command_name(incoming.text) or ""]
                if command.notice:
                    await self._notify(chat_id, self.notice_text(command.notice))
                if not command.payload:
                    return  # a note only: nothing reaches Rasa, nothing is stored
        await self.handle_text(
            sender_id, raw_text, trusted_payload, on_new_message, agent
        )

    @staticmethod
    def notice_text(key: str) -> str:
        """One of the channel's notes, with the retention period filled in."""
        return notice(key, days=retention_days())

    def _typed_words(self, text: str) -> str:
        """The words of a text, without a leading command of this bot."""
        name = _command_name(text)
        return command_argument(text) if name in self.commands else text

    async def _handle_group(self, incoming: Incoming) -> None:
        """A group: nothing reaches Rasa; help lines for a crisis text, note, leave.

        The privacy note goes once per group; the help lines go for every text in
        which the detector sees a crisis or check-in signal.
        """
        chat_id = incoming.chat_id
        assert chat_id is not None
        if incoming.callback_id:
            await self._safe_call(
                "answerCallbackQuery", {"callback_query_id": incoming.callback_id}
            )
        screening = None if incoming.callback_id else await screen(incoming.text)
        crisis = screening is not None and screening.flagged
        first = not self.group_notified.check_and_add(chat_id)
        if crisis:
            assert screening is not None
            await self.pipeline.deliver_helplines(
                self.output, str(chat_id), screening.categories
            )
        if first:
            await self._notify(chat_id, notice("group_chat"))
        if first or crisis:
            await self._safe_call("leaveChat", {"chat_id": chat_id})

    async def _notify(self, chat_id: int, text: str) -> None:
        """Send one of the channel's own notes; a failure is logged."""
        try:
            await self.output.send_text_message(str(chat_id), text)
        except TelegramApiError as error:
            level = logging.INFO if error.status == 403 else logging.ERROR
            logger.log(level, "Telegram note not delivered: %s", error)

    async def handle_text(
        self,
        sender_id: str,
        raw_text: str,
        trusted_payload: str | None,
        on_new_message: OnNewMessage,
        agent: Any,
    ) -> None:
        """One guarded turn (``bot/channels/pipeline.py``) while showing "typing…".

        Before Rasa's part the chat's keyboards start a new turn; after the turn the
        keyboards the bot moved on from are taken off their messages.
        """
        chat_id = int(telegram_chat_id(sender_id))

        @contextlib.asynccontextmanager
        async def thinking() -> AsyncIterator[None]:
            self.output.keyboards.new_turn(str(chat_id))
            async with self.typing(chat_id):
                yield

        await self.pipeline.run_turn(
            agent,
            TurnRequest(sender_id, raw_text, trusted_payload=trusted_payload),
            self.output,
            on_new_message,
            thinking,
        )
        self.presses.retire(chat_id)

    # ------------------------------------------------------------------ routes
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Routes ``GET /`` (health) and ``POST /webhook`` under ``/webhooks/telegram``."""
        return webhook_blueprint(self, on_new_message)
