"""The crisis reply: every help line, the most relevant first (no Rasa import).

Both servers send it: the action server as its answer to a crisis, the channels
when the action server could not answer a crisis turn, or for a Telegram group.
All Dutch text and every number come from ``hechtwijzer_core/content/helplines.yml``.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence

from hechtwijzer_core import contract
from hechtwijzer_core.content import load

GENERAL = "general"


def helpline_content() -> Mapping[str, Any]:
    """The parsed helplines.yml (loaded lazily, cached by the content loader)."""
    content: Mapping[str, Any] = load("helplines")
    return content


def crisis_categories(text: str) -> List[str]:
    """Crisis categories the rules find in ``text`` (empty for payloads).

    Only the patterns are read here: the categories choose which help comes first.
    """
    if not text or text.startswith("/"):
        return []
    from hechtwijzer_core.crisis import detect

    return list(detect(text, use_model=False).categories)


def helpline_offer() -> str:
    """The one line of help offered after a check-in answered with "nee"."""
    return str(helpline_content()["checkin"]["offer"])


def non_text_offer() -> str:
    """The one line of help that comes with the reply to a voice note or photo."""
    return str(helpline_content()["checkin"]["non_text_offer"])


def crisis_reply(categories: Sequence[str] = (), paused: bool = False) -> str:
    """Build the crisis reply: opening, every helpline (most relevant first), closing."""
    content = helpline_content()
    reply = content["reply"]
    known = [c for c in categories if c in content["order"]]
    category = known[0] if known else GENERAL
    lines = [reply["opening"][category], "", reply["helplines_intro"]]
    for key in content["order"][category]:
        helpline = content["helplines"][key]
        lines.append(reply["line"].format(name=helpline["name"], how=helpline["how"]))
    lines += ["", reply["closing"]]
    if paused:
        lines += ["", reply["paused"]]
    return "\n".join(lines)


def offline_crisis_reply(text: str, intent: Optional[str] = None) -> Optional[str]:
    """Crisis reply for a turn the action server could not answer, else None.

    Used by the channel guard when a turn stayed silent: a person in crisis must get
    the helplines even when the action server is down. ``text`` is what was handed
    to Rasa (``/crisis`` for long crisis messages), ``intent`` the predicted intent.
    """
    if text.strip() in (
        contract.CRISIS_PAYLOAD,
        contract.CRISIS_CHECK_PAYLOAD,
    ) or intent in (contract.CRISIS_INTENT, contract.CRISIS_CHECK_INTENT):
        # Without the action server there is no check-in: the help lines at once.
        return crisis_reply(crisis_categories(text))
    categories = crisis_categories(text)
    return crisis_reply(categories) if categories else None
