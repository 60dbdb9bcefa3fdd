"""Reading the bot's reply batches (REST answers and socket.io messages alike)."""

from __future__ import annotations

from typing import Any, Dict, List

Reply = List[Dict[str, Any]]


def joined(replies: Reply) -> str:
    """All texts of one batch as one string, one line per message with text."""
    return "\n".join(str(r["text"]) for r in replies if r.get("text"))


def texts(replies: Reply) -> List[str]:
    """The texts of one batch, in order."""
    return [str(r["text"]) for r in replies if r.get("text")]


def payloads(replies: Reply) -> List[str]:
    """Button payloads of one REST batch, in order."""
    return [str(b["payload"]) for r in replies for b in r.get("buttons") or []]


def quick_replies(messages: Reply) -> List[str]:
    """Button payloads of socket.io messages, in order."""
    return [str(q["payload"]) for m in messages for q in m.get("quick_replies") or []]
