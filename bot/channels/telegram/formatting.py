"""The bot's simple markdown as Telegram HTML, split within Telegram's limits."""

from __future__ import annotations

import base64
import binascii
import html
import re
from typing import Callable, List, Tuple

MAX_TEXT_CHARS = 4096

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
