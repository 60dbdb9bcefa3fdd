"""Inline keyboards: buttons as Telegram keys, and long payloads as short tokens."""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from typing import Any, Callable, Dict, List

MAX_CALLBACK_BYTES = 64
TOKEN_PREFIX = "~"


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


def inline_keyboard(
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
