"""Inline keyboards: the keys, long payloads as tokens, which keyboards still count.

A keyboard counts while it belongs to the bot's latest turn that had buttons and none
of its keys was pressed yet (as in the widget, where a choice disables the buttons).
A press on such a keyboard is marked on the message ("✓ <choice>", a key that does
nothing); keyboards the bot moved on from are taken off their messages; a press on
an old keyboard has no effect.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Tuple

MAX_CALLBACK_BYTES = 64
TOKEN_PREFIX = "~"
MAX_KEY_CHARS = 64
# ``callback_data`` of the "✓ <choice>" key: pressing it does nothing. It starts with
# the token prefix, so no button payload is ever sent as this text.
CHOSEN_DATA = TOKEN_PREFIX + "chosen"
CHOSEN_MARK = "✓ "


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


def button_keys(buttons: Iterable[Any]) -> List[Tuple[str, str]]:
    """(payload, title) of each button, as the keyboard shows them."""
    return [
        (
            str(b.get("payload") or b.get("title") or ""),
            str(b.get("title") or b.get("payload") or "?"),
        )
        for b in buttons
        if isinstance(b, dict)
    ]


def inline_keyboard(
    buttons: List[Dict[str, Any]], encode: Callable[[str], str]
) -> Dict[str, Any]:
    """Inline keyboard: short titles side by side, longer ones one per row."""
    keys = [
        {"text": title[:MAX_KEY_CHARS], "callback_data": encode(payload)}
        for payload, title in button_keys(buttons)
    ]
    short = len(keys) <= 8 and all(len(k["text"]) <= 4 for k in keys)
    rows = [keys] if short else [[key] for key in keys]
    return {"inline_keyboard": rows}


def chosen_keyboard(title: str) -> Dict[str, Any]:
    """The one key that replaces a pressed keyboard: "✓ <choice>", doing nothing."""
    text = (CHOSEN_MARK + " ".join(title.split()))[:MAX_KEY_CHARS]
    return {"inline_keyboard": [[{"text": text, "callback_data": CHOSEN_DATA}]]}


def title_in_markup(markup: Any, data: str) -> str | None:
    """The title of the key with ``callback_data`` ``data`` in a message's keyboard."""
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    for row in rows if isinstance(rows, list) else []:
        for key in row if isinstance(row, list) else []:
            if isinstance(key, dict) and key.get("callback_data") == data:
                text = key.get("text")
                return str(text) if text else None
    return None


def latest_keyboard_payloads(events: Iterable[Any]) -> frozenset[str] | None:
    """Payloads of the newest bot message with buttons in stored events (or None)."""
    for event in reversed(list(events)):
        data = event.as_dict() if hasattr(event, "as_dict") else event
        if not isinstance(data, dict) or data.get("event") != "bot":
            continue
        buttons = (data.get("data") or {}).get("buttons")
        if buttons:
            return frozenset(payload for payload, _ in button_keys(buttons))
    return None


@dataclass
class _ChatKeyboards:
    """The keyboards of one chat that still count, and what to take off."""

    # message id -> {payload: title} of each keyboard of the latest turn with buttons
    messages: Dict[int, Dict[str, str]] = field(default_factory=dict)
    spent: bool = False  # one of their keys was pressed
    new_turn: bool = False  # the next keyboard starts a new set
    retired: List[int] = field(default_factory=list)  # to take off their messages


class LiveKeyboards:
    """Per chat (bounded, least recently used dropped): which keyboards still count.

    Memory of this server only: after a restart it knows nothing, and the caller
    falls back to the stored conversation (:func:`latest_keyboard_payloads`).
    """

    def __init__(self, max_chats: int = 10_000) -> None:
        """Remember the keyboards of at most ``max_chats`` chats."""
        self.max_chats = max_chats
        self._chats: OrderedDict[str, _ChatKeyboards] = OrderedDict()

    def _chat(self, chat_id: str, create: bool = False) -> _ChatKeyboards | None:
        chat = self._chats.get(chat_id)
        if chat is None and create:
            chat = self._chats[chat_id] = _ChatKeyboards()
            while len(self._chats) > self.max_chats:
                self._chats.popitem(last=False)
        if chat is not None:
            self._chats.move_to_end(chat_id)
        return chat

    def new_turn(self, chat_id: str) -> None:
        """The person said something: the next keyboard replaces the current ones."""
        chat = self._chat(chat_id)
        if chat is not None:
            chat.new_turn = True

    def sent(self, chat_id: str, message_id: int, keys: Mapping[str, str]) -> None:
        """A keyboard went out with message ``message_id`` (``keys``: payload → title)."""
        chat = self._chat(chat_id, create=True)
        assert chat is not None
        if chat.new_turn or chat.spent:
            chat.retired.extend(chat.messages)
            chat.messages = {}
            chat.new_turn = chat.spent = False
        chat.messages[message_id] = dict(keys)

    def is_live(self, chat_id: str, payload: str) -> bool | None:
        """Whether a press of ``payload`` counts; None when this chat is unknown here."""
        chat = self._chat(chat_id)
        if chat is None:
            return None
        return not chat.spent and any(payload in k for k in chat.messages.values())

    def press(
        self, chat_id: str, message_id: int | None, payload: str
    ) -> Tuple[str | None, List[int]]:
        """A key of a live keyboard was pressed: spend the set.

        Returns the pressed key's title (None when unknown) and the other messages
        of the set, whose keyboards are to be taken off.
        """
        chat = self._chat(chat_id, create=True)
        assert chat is not None
        keys = chat.messages.get(message_id) if message_id is not None else None
        title = (keys or {}).get(payload)
        if title is None:
            title = next(
                (k[payload] for k in chat.messages.values() if payload in k), None
            )
        others = [m for m in chat.messages if m != message_id]
        chat.messages = {}
        chat.spent = True
        return title, others

    def take_retired(self, chat_id: str) -> List[int]:
        """Messages whose keyboards the bot moved on from (each returned once)."""
        chat = self._chat(chat_id)
        if chat is None or not chat.retired:
            return []
        retired, chat.retired = chat.retired, []
        return retired
