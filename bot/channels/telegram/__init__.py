"""Hechtwijzer's Telegram channel (``bot.channels.telegram.TelegramInput`` in credentials).

One module per concern:

- ``api``: the Bot API client and the settings; no Rasa or Sanic, so the polling
  forwarder (``bot/telegram_poll.py``) stays a small process;
- ``content``: the command menu and the channel's own Dutch notes (YAML content);
- ``formatting``: markdown as Telegram HTML, split within Telegram's limits;
- ``keyboards``: inline keyboards, long payloads as tokens, which keyboard is live;
- ``updates``: what an incoming update means;
- ``output``: sending with retries (``TelegramOutput``);
- ``channel``: the webhook channel itself (``TelegramInput``).

The names below are loaded on first use, so importing ``bot.channels.telegram.api``
does not import Rasa.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

_EXPORTS: Dict[str, str] = {
    "ALLOWED_UPDATES": "api",
    "DEFAULT_API_BASE_URL": "api",
    "SECRET_HEADER": "api",
    "BotApi": "api",
    "TelegramApiError": "api",
    "TelegramSettings": "api",
    "derive_secret": "api",
    "is_retryable": "api",
    "BotCommand": "content",
    "load_commands": "content",
    "load_notices": "content",
    "notice": "content",
    "parse_commands": "content",
    "MAX_TEXT_CHARS": "formatting",
    "decode_data_uri": "formatting",
    "split_for_telegram": "formatting",
    "strip_markdown": "formatting",
    "to_telegram_html": "formatting",
    "MAX_CALLBACK_BYTES": "keyboards",
    "TOKEN_PREFIX": "keyboards",
    "CallbackTokens": "keyboards",
    "inline_keyboard": "keyboards",
    "NON_TEXT_PAYLOAD": "updates",
    "Incoming": "updates",
    "RecentIds": "updates",
    "Screening": "updates",
    "command_argument": "updates",
    "message_words": "updates",
    "parse_update": "updates",
    "screen": "updates",
    "RetryPolicy": "output",
    "TelegramOutput": "output",
    "TelegramInput": "channel",
}

__all__ = [
    "ALLOWED_UPDATES",
    "BotApi",
    "BotCommand",
    "CallbackTokens",
    "DEFAULT_API_BASE_URL",
    "Incoming",
    "MAX_CALLBACK_BYTES",
    "MAX_TEXT_CHARS",
    "NON_TEXT_PAYLOAD",
    "RecentIds",
    "RetryPolicy",
    "SECRET_HEADER",
    "Screening",
    "TOKEN_PREFIX",
    "TelegramApiError",
    "TelegramInput",
    "TelegramOutput",
    "TelegramSettings",
    "command_argument",
    "decode_data_uri",
    "derive_secret",
    "inline_keyboard",
    "is_retryable",
    "load_commands",
    "load_notices",
    "message_words",
    "notice",
    "parse_commands",
    "parse_update",
    "screen",
    "split_for_telegram",
    "strip_markdown",
    "to_telegram_html",
]

if TYPE_CHECKING:  # pragma: no cover
    from bot.channels.telegram.api import (
        ALLOWED_UPDATES,
        DEFAULT_API_BASE_URL,
        SECRET_HEADER,
        BotApi,
        TelegramApiError,
        TelegramSettings,
        derive_secret,
        is_retryable,
    )
    from bot.channels.telegram.channel import TelegramInput
    from bot.channels.telegram.content import (
        BotCommand,
        load_commands,
        load_notices,
        notice,
        parse_commands,
    )
    from bot.channels.telegram.formatting import (
        MAX_TEXT_CHARS,
        decode_data_uri,
        split_for_telegram,
        strip_markdown,
        to_telegram_html,
    )
    from bot.channels.telegram.keyboards import (
        MAX_CALLBACK_BYTES,
        TOKEN_PREFIX,
        CallbackTokens,
        inline_keyboard,
    )
    from bot.channels.telegram.output import RetryPolicy, TelegramOutput
    from bot.channels.telegram.updates import (
        NON_TEXT_PAYLOAD,
        Incoming,
        RecentIds,
        Screening,
        command_argument,
        message_words,
        parse_update,
        screen,
    )


def __getattr__(name: str) -> Any:
    """Load an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    """The exported names, for ``dir()`` and completion."""
    return sorted(set(globals()) | set(_EXPORTS))
