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
- it stays inert (routes answer 503) when no token is configured, and keeps running,
  loudly logged, when Telegram cannot be reached at start-up;
- everything goes through the shared :class:`~bot.channels.guard.MessageGuard`;
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
import base64
import binascii
import contextlib
import hashlib
import hmac
import html
import json
import logging
import re
from collections import OrderedDict, deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Deque,
    Dict,
    List,
    Mapping,
    Set,
    Tuple,
)

import aiohttp
import yaml
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import GuardedOutputChannel, MessageGuard, screen_text
from bot.channels.identity import telegram_chat_id, telegram_sender_id
from bot.channels.ratelimit import RateLimiter, admit, limit_text, shared_limiter

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
MAX_TEXT_CHARS = 4096
MAX_CALLBACK_BYTES = 64
TOKEN_PREFIX = "~"
NON_TEXT_PAYLOAD = "/non_text_message"
TYPING_REFRESH_SECONDS = 4.0
MIN_CALL_TIMEOUT = 3.0
NON_TEXT_KEYS = (
    "sticker",
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "game",
)
CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
LEVEL_CRISIS, LEVEL_CHECK, LEVEL_NONE = "crisis", "check", "none"
LIMIT_NOTICE_SECONDS = 60.0  # one rate-limit notice per chat per minute at most


# --------------------------------------------------------------------------- content
@dataclass(frozen=True)
class BotCommand:
    """A Telegram command, its menu description and the trusted payload it sends."""

    command: str
    payload: str
    description: str


def _read_yaml(name: str) -> Dict[str, Any]:
    path = CONTENT_DIR / name
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a mapping")
    return data


def parse_commands(data: Mapping[str, Any]) -> Tuple[BotCommand, ...]:
    """Validate the command list (Telegram's rules for names and descriptions)."""
    commands: List[BotCommand] = []
    for entry in data.get("commands") or []:
        command = str(entry.get("command", ""))
        payload = str(entry.get("payload", ""))
        description = str(entry.get("description", "")).strip()
        if not _COMMAND_PATTERN.match(command):
            raise ValueError(f"invalid Telegram command name: {command!r}")
        if not payload.startswith("/"):
            raise ValueError(f"command {command!r} needs a /payload")
        if not 3 <= len(description) <= 256:
            raise ValueError(f"command {command!r} needs a 3-256 character description")
        commands.append(BotCommand(command, payload, description))
    if len({c.command for c in commands}) != len(commands):
        raise ValueError("duplicate Telegram command")
    return tuple(commands)


@lru_cache(maxsize=1)
def load_commands() -> Tuple[BotCommand, ...]:
    """Commands from ``bot/content/telegram_commands.yml`` (read once, lazily)."""
    return parse_commands(_read_yaml("telegram_commands.yml"))


@lru_cache(maxsize=1)
def load_notices() -> Dict[str, str]:
    """The channel's own short notes from ``bot/content/telegram_notices.yml``."""
    notices = _read_yaml("telegram_notices.yml").get("notices") or {}
    return {str(key): " ".join(str(value).split()) for key, value in notices.items()}


def notice(key: str) -> str:
    """One of the channel's own notes (Dutch text lives in the content file)."""
    return load_notices()[key]


# --------------------------------------------------------------------------- settings
def derive_secret(access_token: str) -> str:
    """A webhook secret derived from the token, used when none is configured.

    The server and the polling forwarder both know the token, so both arrive at the
    same secret without another variable; the token itself never leaves the machine.
    """
    digest = hmac.new(
        access_token.encode("utf-8"), b"hechtwijzer-telegram-webhook", hashlib.sha256
    )
    return digest.hexdigest()


@dataclass(frozen=True)
class TelegramSettings:
    """Channel settings from ``credentials.yml`` (values come from the environment)."""

    access_token: str = ""
    webhook_url: str = ""
    secret_token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> TelegramSettings:
        """Read settings, treating missing or empty values as defaults."""
        values = values or {}

        def get(key: str) -> str:
            value = values.get(key)
            return str(value).strip() if value is not None else ""

        token = get("access_token")
        secret = get("secret_token") or (derive_secret(token) if token else "")
        base = get("api_base_url").rstrip("/") or DEFAULT_API_BASE_URL
        return cls(token, get("webhook_url"), secret, base)

    @property
    def enabled(self) -> bool:
        """True when a bot token is configured."""
        return bool(self.access_token)


# --------------------------------------------------------------------------- Bot API
class TelegramApiError(Exception):
    """The Bot API answered ``ok: false`` or could not be reached."""

    def __init__(
        self,
        method: str,
        description: str,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        """Describe a failed call (``status`` 0 means Telegram was not reached)."""
        super().__init__(f"{method}: {status} {description}")
        self.method = method
        self.description = description
        self.status = status
        self.retry_after = retry_after


class BotApi:
    """Minimal Telegram Bot API client on aiohttp against a configurable base URL."""

    def __init__(
        self,
        access_token: str,
        base_url: str = DEFAULT_API_BASE_URL,
        timeout: float = 20.0,
    ) -> None:
        """Prepare a client; the HTTP session is opened lazily on first use."""
        self.access_token = access_token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def redact(self, text: str) -> str:
        """Remove the token from text that goes to the logs."""
        return text.replace(self.access_token, "<token>") if self.access_token else text

    def _session_for_loop(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if (
            self._session is None
            or self._session.closed
            or self._session_loop is not loop
        ):
            self._session = aiohttp.ClientSession()
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None and not self._session.closed:
            with contextlib.suppress(Exception):
                await self._session.close()
        self._session = None

    async def call(
        self,
        method: str,
        params: Dict[str, Any] | None = None,
        *,
        upload: Tuple[str, bytes, str, str] | None = None,
        timeout: float | None = None,
        attempts: int = 2,
    ) -> Any:
        """Call ``method``; ``upload`` is (field, bytes, filename, content type).

        Retries once on flood control (429, waiting ``retry_after`` up to 10 s), on a
        5xx and when Telegram cannot be reached; raises :class:`TelegramApiError`.
        """
        last: TelegramApiError | None = None
        for attempt in range(max(1, attempts)):
            try:
                return await self._call_once(method, params or {}, upload, timeout)
            except TelegramApiError as error:
                last = error
                retryable = error.status in (0, 429) or error.status >= 500
                if not retryable or attempt + 1 >= attempts:
                    raise
                await asyncio.sleep(min(error.retry_after or 0.5, 10.0))
        raise last or TelegramApiError(method, "no attempt made")  # pragma: no cover

    async def _call_once(
        self,
        method: str,
        params: Dict[str, Any],
        upload: Tuple[str, bytes, str, str] | None,
        timeout: float | None,
    ) -> Any:
        url = f"{self.base_url}/bot{self.access_token}/{method}"
        client_timeout = aiohttp.ClientTimeout(total=timeout or self.timeout)
        session = self._session_for_loop()
        try:
            if upload is None:
                request = session.post(url, json=params, timeout=client_timeout)
            else:
                form = aiohttp.FormData()
                for key, value in params.items():
                    form.add_field(
                        key,
                        (
                            json.dumps(value)
                            if isinstance(value, (dict, list))
                            else str(value)
                        ),
                    )
                field, data, filename, content_type = upload
                form.add_field(
                    field, data, filename=filename, content_type=content_type
                )
                request = session.post(url, data=form, timeout=client_timeout)
            async with request as resp:
                try:
                    body = await resp.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    body = {"ok": False, "description": f"HTTP {resp.status}"}
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise TelegramApiError(
                method, self.redact(f"Telegram not reachable: {error!r}")
            ) from None
        if isinstance(body, dict) and body.get("ok"):
            return body.get("result")
        body = body if isinstance(body, dict) else {}
        retry_after = (body.get("parameters") or {}).get("retry_after")
        raise TelegramApiError(
            method,
            self.redact(str(body.get("description", "unknown error"))),
            int(body.get("error_code") or status),
            float(retry_after) if retry_after is not None else None,
        )


# --------------------------------------------------------------------------- formatting
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w*])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")


def to_telegram_html(text: str) -> str:
    """Escape text for ``parse_mode=HTML`` and turn **bold**, _italic_ and links into tags."""
    escaped = html.escape(text, quote=False)
    escaped = _LINK.sub(
        lambda m: f'<a href="{m.group(2).replace(chr(34), "&quot;")}">{m.group(1)}</a>',
        escaped,
    )
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC_UNDERSCORE.sub(r"<i>\1</i>", escaped)
    return _ITALIC_STAR.sub(r"<i>\1</i>", escaped)


def strip_markdown(text: str) -> str:
    """Plain-text fallback: the same text without the markdown markers."""
    text = _LINK.sub(r"\1 (\2)", text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC_UNDERSCORE.sub(r"\1", text)
    return _ITALIC_STAR.sub(r"\1", text)


def _hard_split(piece: str, limit: int) -> List[str]:
    """Split one unbreakable run so that every formatted part fits ``limit``."""
    parts: List[str] = []
    while piece:
        size = min(len(piece), limit)
        while size > 1 and len(to_telegram_html(piece[:size])) > limit:
            size = max(1, size * 3 // 4)
        parts.append(piece[:size])
        piece = piece[size:]
    return parts


def split_for_telegram(text: str, limit: int = MAX_TEXT_CHARS) -> List[str]:
    """Split markdown text into parts whose Telegram HTML stays within ``limit``.

    Breaks at line ends first, then between words, then anywhere.
    """
    text = text.strip()
    if len(to_telegram_html(text)) <= limit:
        return [text] if text else []

    def fits(candidate: str) -> bool:
        return len(to_telegram_html(candidate)) <= limit

    def pack(
        units: List[str], joiner: str, finer: Callable[[str], List[str]]
    ) -> List[str]:
        parts: List[str] = []
        current = ""
        for unit in units:
            if not fits(unit):
                if current:
                    parts.append(current)
                    current = ""
                parts.extend(finer(unit))
                continue
            candidate = f"{current}{joiner}{unit}" if current else unit
            if fits(candidate):
                current = candidate
            else:
                parts.append(current)
                current = unit
        if current:
            parts.append(current)
        return parts

    def by_words(line: str) -> List[str]:
        return pack(line.split(" "), " ", lambda word: _hard_split(word, limit))

    parts = pack(text.split("\n"), "\n", by_words)
    return [part.strip() for part in parts if part.strip()]


# --------------------------------------------------------------------------- buttons
class CallbackTokens:
    """Maps payloads longer than 64 bytes to short tokens, per chat, bounded (LRU)."""

    def __init__(self, max_chats: int = 5000, per_chat: int = 200) -> None:
        """Keep at most ``per_chat`` tokens for each of ``max_chats`` chats."""
        self.max_chats = max_chats
        self.per_chat = per_chat
        self._chats: OrderedDict[str, OrderedDict[str, str]] = OrderedDict()

    def encode(self, chat_id: str, payload: str) -> str:
        """The ``callback_data`` for ``payload`` in ``chat_id`` (the payload when it fits)."""
        if len(
            payload.encode("utf-8")
        ) <= MAX_CALLBACK_BYTES and not payload.startswith(TOKEN_PREFIX):
            return payload
        digest = hashlib.sha256(payload.encode("utf-8")).digest()
        token = TOKEN_PREFIX + base64.urlsafe_b64encode(digest)[:22].decode("ascii")
        tokens = self._chats.pop(chat_id, None) or OrderedDict()
        tokens.pop(token, None)
        tokens[token] = payload
        while len(tokens) > self.per_chat:
            tokens.popitem(last=False)
        self._chats[chat_id] = tokens
        while len(self._chats) > self.max_chats:
            self._chats.popitem(last=False)
        return token

    def decode(self, chat_id: str, data: str) -> str | None:
        """The payload behind ``callback_data`` (None for an unknown or expired token)."""
        if not data.startswith(TOKEN_PREFIX):
            return data
        tokens = self._chats.get(chat_id)
        return tokens.get(data) if tokens is not None else None


class RecentIds:
    """Remembers the last ``size`` ids (bounded dedupe memory)."""

    def __init__(self, size: int = 10_000) -> None:
        """Remember at most ``size`` ids."""
        self.size = size
        self._order: Deque[Any] = deque()
        self._seen: Set[Any] = set()

    def check_and_add(self, item: Any) -> bool:
        """True when ``item`` was seen before; otherwise remember it and return False."""
        if item in self._seen:
            return True
        self._seen.add(item)
        self._order.append(item)
        while len(self._order) > self.size:
            self._seen.discard(self._order.popleft())
        return False

    def __contains__(self, item: object) -> bool:
        """Whether ``item`` is remembered."""
        return item in self._seen


def _keyboard(
    buttons: List[Dict[str, Any]], encode: Callable[[str], str]
) -> Dict[str, Any]:
    """Inline keyboard: short titles side by side, longer ones one per row."""
    keys = [
        {
            "text": str(b.get("title") or b.get("payload") or "?")[:64],
            "callback_data": encode(str(b.get("payload") or b.get("title") or "")),
        }
        for b in buttons
        if isinstance(b, dict)
    ]
    short = len(keys) <= 8 and all(len(k["text"]) <= 4 for k in keys)
    rows = [keys] if short else [[key] for key in keys]
    return {"inline_keyboard": rows}


def decode_data_uri(uri: str) -> Tuple[bytes, str] | None:
    """Bytes and content type of a ``data:<type>;base64,...`` URI (None if invalid)."""
    match = re.match(
        r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*);base64,(.*)$", uri, re.S
    )
    if not match:
        return None
    try:
        data = base64.b64decode(match.group(3), validate=False)
    except (binascii.Error, ValueError):
        return None
    return (data, match.group(1) or "image/png") if data else None


# --------------------------------------------------------------------------- output
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


def is_retryable(error: TelegramApiError) -> bool:
    """Flood control, a Telegram server error or no answer at all: worth retrying."""
    return error.status in (0, 429) or error.status >= 500


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
    ) -> None:
        """Send through ``api``; long button payloads are kept in ``tokens``."""
        self.api = api
        self.tokens = tokens or CallbackTokens()
        self.policy = policy or RetryPolicy()

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
    ) -> None:
        """Send one part as HTML; when that fails, once more as plain text.

        A formatting error keeps the buttons; any other failure (after the retries)
        sends the bare text, without buttons. Raises when the plain text fails too.
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
            await self._call("sendMessage", params, deadline, self.policy.attempts)
            return
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
        await self._call("sendMessage", plain, deadline, 2)

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
        keyboard = _keyboard(
            buttons, lambda payload: self.tokens.encode(recipient_id, payload)
        )
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await self._send_html(recipient_id, part, keyboard if last else None)

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


# --------------------------------------------------------------------------- input
@dataclass(frozen=True)
class Incoming:
    """What one update means for the bot."""

    kind: str  # text | command | button | non_text | edited | group | ignore
    chat_id: int | None = None
    text: str = ""
    trusted_payload: str | None = None
    callback_id: str | None = None


@dataclass(frozen=True)
class Screening:
    """What the crisis detector makes of a text the channel looks at itself."""

    level: str  # crisis | check | none
    categories: Tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        """True for a clear danger (``crisis``) and for a signal worth a check-in."""
        return self.level != LEVEL_NONE


async def screen(text: str) -> Screening | None:
    """Run the crisis detector on ``text``, off the event loop; None when it failed.

    The channel screens only what would otherwise not reach Rasa whole: the words
    after a command, edited messages and group messages.
    """
    if not text.strip():
        return Screening(LEVEL_NONE)
    result = await screen_text(text)
    if result is None:
        return None
    return Screening(str(result.level), tuple(str(c) for c in result.categories))


def message_words(message: Mapping[str, Any]) -> str:
    """A message's text, or the caption under a photo, video or file ('' if none)."""
    for key in ("text", "caption"):
        value = message.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def command_argument(text: str) -> str:
    """The words after the command: ``ik wil ...`` for ``/help@bot ik wil ...``."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def _command_name(text: str) -> str | None:
    """``start`` for ``/start``, ``/start@hechtwijzer_bot`` or ``/Start extra``."""
    if not text.startswith("/"):
        return None
    word = (
        text[1:].split(maxsplit=1)[0] if len(text) > 1 and not text[1].isspace() else ""
    )
    return word.split("@", 1)[0].lower() or None


def parse_update(update: Mapping[str, Any], commands: Mapping[str, str]) -> Incoming:
    """Classify an update; ``commands`` maps command names to trusted payloads."""
    callback = update.get("callback_query")
    if isinstance(callback, dict):
        message = callback.get("message") or {}
        chat = message.get("chat") or {}
        chat_id = chat.get("id")
        kind = "button" if chat.get("type", "private") == "private" else "group"
        return Incoming(
            kind=kind if chat_id is not None else "ignore",
            chat_id=chat_id,
            text=str(callback.get("data") or ""),
            callback_id=str(callback.get("id") or "") or None,
        )
    for key in ("message", "edited_message"):
        message = update.get(key)
        if not isinstance(message, dict):
            continue
        chat = message.get("chat") or {}
        chat_id = chat.get("id")
        if chat_id is None:
            return Incoming("ignore")
        if chat.get("type") != "private":
            return Incoming("group", chat_id, message_words(message))
        if key == "edited_message":
            return Incoming("edited", chat_id, message_words(message))
        text = message.get("text")
        if isinstance(text, str):
            name = _command_name(text)
            if name is not None and name in commands:
                return Incoming(
                    "command", chat_id, text, trusted_payload=commands[name]
                )
            return Incoming("text", chat_id, text)
        caption = message.get("caption")
        if isinstance(caption, str) and caption.strip():
            # A photo with words under it: read the words (they may matter, e.g. a crisis).
            return Incoming("text", chat_id, caption)
        if any(k in message for k in NON_TEXT_KEYS):
            return Incoming("non_text", chat_id, trusted_payload=NON_TEXT_PAYLOAD)
        return Incoming("ignore", chat_id)
    return Incoming("ignore")


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


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
        self.guard = guard or MessageGuard()
        self._limiter = limiter
        self._limit_noticed: OrderedDict[int, float] = OrderedDict()
        self.api = BotApi(self.settings.access_token, self.settings.api_base_url)
        self.output = TelegramOutput(self.api)
        self.seen_updates = RecentIds(10_000)
        self.group_notified = RecentIds(10_000)
        self._tasks: Set[asyncio.Task[Any]] = set()
        self._in_progress: Dict[int, asyncio.Task[Any]] = {}
        self._chat_locks: Dict[int, asyncio.Lock] = {}
        self._chat_users: Dict[int, int] = {}
        self._commands: Dict[str, str] | None = None

    # ------------------------------------------------------------------ helpers
    @property
    def commands(self) -> Dict[str, str]:
        """Command name → trusted payload (loaded lazily)."""
        if self._commands is None:
            self._commands = {c.command: c.payload for c in load_commands()}
        return self._commands

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
        """Set the webhook (when a URL is configured) and the command menu.

        Never raises: when Telegram cannot be reached the bot keeps running and the
        problem is logged as an error. Returns True when everything succeeded.
        """
        if not self.settings.enabled:
            return False
        ok = True
        if not _SECRET_PATTERN.match(self.settings.secret_token):
            logger.error(
                "TELEGRAM_SECRET may only hold A-Z, a-z, 0-9, _ and - (1-256 characters)."
            )
        if self.settings.webhook_url:
            if not self.settings.webhook_url.startswith("https://"):
                logger.warning("Telegram only delivers webhooks to https:// URLs.")
            params = {
                "url": self.settings.webhook_url,
                "secret_token": self.settings.secret_token,
                "allowed_updates": ALLOWED_UPDATES,
                "drop_pending_updates": False,
            }
            try:
                await self.api.call("setWebhook", params, timeout=15)
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
            {"command": c.command, "description": c.description}
            for c in load_commands()
        ]
        try:
            await self.api.call("setMyCommands", {"commands": commands}, timeout=15)
        except TelegramApiError as error:
            ok = False
            logger.error("TELEGRAM: could not set the command menu (%s).", error)
        return ok

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
            with self.limiter.running(telegram_sender_id(incoming.chat_id)):
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
        if await admit(self.limiter, None, telegram_sender_id(chat_id), text):
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
            await self._notify(chat_id, limit_text())
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
            payload = self.output.tokens.decode(sender_id, incoming.text)
            answer: Dict[str, Any] = {"callback_query_id": incoming.callback_id}
            if payload is None:
                answer["text"] = notice("expired_button")
            await self._safe_call("answerCallbackQuery", answer)
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
            if not await self._needs_rasa(words):
                await self._notify(chat_id, notice("edited_message"))
                return
            raw_text, trusted_payload = words, None
        elif incoming.kind == "command":
            # "/start ik wil niet meer leven": the words matter more than the command.
            argument = command_argument(incoming.text)
            if argument and await self._needs_rasa(argument):
                raw_text, trusted_payload = argument, None
        await self.handle_text(
            sender_id, raw_text, trusted_payload, on_new_message, agent
        )

    def _typed_words(self, text: str) -> str:
        """The words of a text, without a leading command of this bot."""
        name = _command_name(text)
        return command_argument(text) if name in self.commands else text

    @staticmethod
    async def _needs_rasa(text: str) -> bool:
        """True when ``text`` must reach Rasa as typed: a crisis or check-in signal.

        When the detector itself fails, Rasa's own understanding decides.
        """
        if not text.strip():
            return False
        screening = await screen(text)
        return screening is None or screening.flagged

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
            from actions.safety import crisis_reply

            output = GuardedOutputChannel(self.output)
            await output.deliver_text(str(chat_id), crisis_reply(screening.categories))
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
        """Guard the text, hand it to Rasa while showing "typing…", guard the reply."""
        text = await self.guard.prepare(agent, sender_id, raw_text, trusted_payload)
        output = GuardedOutputChannel(self.output)
        async with self.typing(int(telegram_chat_id(sender_id))):
            try:
                await on_new_message(
                    UserMessage(text, output, sender_id, input_channel=self.name())
                )
            except Exception:  # noqa: BLE001 - the guard answers a silent turn
                logger.exception("Telegram message handling failed (text not logged).")
        await self.guard.finish(agent, sender_id, output, text)

    # ------------------------------------------------------------------ routes
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Routes ``GET /`` (health) and ``POST /webhook`` under ``/webhooks/telegram``."""
        bp = Blueprint("hechtwijzer_telegram", __name__)
        if not self.settings.enabled:
            logger.info(
                "TELEGRAM_TOKEN is empty: the Telegram channel is off (routes answer 503)."
            )

        @bp.listener("after_server_start")
        async def start(app: Any, _: Any) -> None:
            if self.settings.enabled:
                self.spawn(self.register_with_telegram())

        @bp.listener("before_server_stop")
        async def stop(app: Any, _: Any) -> None:
            try:
                await asyncio.wait_for(self.drain(), 30)
            except asyncio.TimeoutError:
                logger.warning("Stopped with Telegram updates still in progress.")
            await self.api.close()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.json({"status": "disabled"}, status=503)
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.json({"status": "disabled"}, status=503)
            if not self.secret_matches(request.headers.get(SECRET_HEADER)):
                logger.warning(
                    "Telegram webhook call with a wrong or missing secret refused."
                )
                return response.json({"status": "forbidden"}, status=403)
            try:
                update = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"status": "invalid json"}, status=400)
            reason = self.accept(update)
            if reason == "invalid":
                return response.json({"status": "invalid update"}, status=400)
            if reason == "duplicate":
                # Telegram repeats an update it got no answer for in time: answer
                # once the first delivery is processed, without processing it again.
                await self.wait_if_in_progress(update["update_id"])
                return response.json({"status": "duplicate"})
            agent = getattr(request.app.ctx, "agent", None)
            # 200 only after the update was processed: a restart before that makes
            # Telegram (or the poller) deliver it again instead of losing it.
            await self.handle_update(update, on_new_message, agent)
            return response.json({"status": "processed"})

        return bp
