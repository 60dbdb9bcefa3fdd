"""The channel's own Dutch content: the command menu and the short notes it sends.

Texts live in ``bot/content/telegram_commands.yml`` and
``bot/content/telegram_notices.yml``; they are read once, lazily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

from hechtwijzer_core.content import load_mapping

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
_COMMAND_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(frozen=True)
class BotCommand:
    """A Telegram command, its menu description and what it does.

    ``notice`` names one of the channel's own notes, sent first (not stored); the
    trusted ``payload`` then goes to Rasa. A command may have either or both.
    """

    command: str
    payload: str
    description: str
    notice: str = ""


def parse_commands(data: Mapping[str, Any]) -> Tuple[BotCommand, ...]:
    """Validate the command list (Telegram's rules for names and descriptions)."""
    commands: List[BotCommand] = []
    for entry in data.get("commands") or []:
        command = str(entry.get("command", ""))
        payload = str(entry.get("payload") or "")
        description = str(entry.get("description", "")).strip()
        note = str(entry.get("notice") or "")
        if not _COMMAND_PATTERN.match(command):
            raise ValueError(f"invalid Telegram command name: {command!r}")
        if not (payload.startswith("/") or (note and not payload)):
            raise ValueError(f"command {command!r} needs a /payload or a notice")
        if not 3 <= len(description) <= 256:
            raise ValueError(f"command {command!r} needs a 3-256 character description")
        commands.append(BotCommand(command, payload, description, note))
    if len({c.command for c in commands}) != len(commands):
        raise ValueError("duplicate Telegram command")
    return tuple(commands)


@lru_cache(maxsize=1)
def load_commands() -> Tuple[BotCommand, ...]:
    """Commands from ``bot/content/telegram_commands.yml`` (read once, lazily)."""
    commands = parse_commands(load_mapping("telegram_commands", CONTENT_DIR))
    missing = {c.notice for c in commands if c.notice} - set(load_notices())
    if missing:
        raise ValueError(f"Telegram commands name unknown notices: {sorted(missing)}")
    return commands


@lru_cache(maxsize=1)
def load_notices() -> Dict[str, str]:
    """The channel's own short notes from ``bot/content/telegram_notices.yml``."""
    notices = load_mapping("telegram_notices", CONTENT_DIR).get("notices") or {}
    return {str(key): _tidy(str(value)) for key, value in notices.items()}


def _tidy(text: str) -> str:
    """Single spaces within a line; line breaks (a blank line in YAML) are kept."""
    lines = (" ".join(line.split()) for line in text.strip().split("\n"))
    return "\n".join(line for line in lines if line)


def notice(key: str, **values: Any) -> str:
    """One of the channel's own notes, ``{name}`` placeholders filled from ``values``.

    Dutch text lives in the content file.
    """
    text = load_notices()[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text
