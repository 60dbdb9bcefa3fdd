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

import yaml

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
_COMMAND_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")


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
