"""What an incoming update means: text, command, button, edit, group or nothing."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Deque, Mapping, Set, Tuple

from bot.channels.guard import screen_text
from bot.channels.telegram.keyboards import title_in_markup
from hechtwijzer_core.contract import NON_TEXT_PAYLOAD

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
LEVEL_CRISIS, LEVEL_CHECK, LEVEL_NONE = "crisis", "check", "none"


@dataclass(frozen=True)
class Incoming:
    """What one update means for the bot."""

    kind: str  # text | command | button | non_text | edited | group | ignore
    chat_id: int | None = None
    text: str = ""
    trusted_payload: str | None = None
    callback_id: str | None = None
    # A button press: the message the keyboard is under, and the pressed key's title.
    message_id: int | None = None
    button_title: str | None = None


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
        data = str(callback.get("data") or "")
        message_id = message.get("message_id")
        return Incoming(
            kind=kind if chat_id is not None else "ignore",
            chat_id=chat_id,
            text=data,
            callback_id=str(callback.get("id") or "") or None,
            message_id=message_id if isinstance(message_id, int) else None,
            button_title=title_in_markup(message.get("reply_markup"), data),
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
