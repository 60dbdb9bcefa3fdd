"""Whose conversation is this? Sender ids per channel and the widget's signed sessions.

Every channel keeps its conversations under a prefix of its own, so no channel can
address another channel's conversations:

* ``web:<token>`` - the web widget (socket.io). The server hands out the session id
  ``<token>.<signature>`` (HMAC-SHA256 with ``HW_SESSION_SECRET``); only a socket that
  showed a validly signed id (or was given a fresh one) talks in ``web:<token>``.
* ``tg:<chat id>`` - Telegram; Telegram itself vouches for the chat id.
* ``rest:<sender>`` - the REST channel: whatever sender a REST client names, it stays
  inside ``rest:``, so ``{"sender": "web:…"}`` or ``{"sender": "tg:…"}`` reaches
  ``rest:web:…`` and ``rest:tg:…``, never the widget's or Telegram's conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from typing import Optional, Union

logger = logging.getLogger(__name__)

WEB_PREFIX = "web:"
TELEGRAM_PREFIX = "tg:"
REST_PREFIX = "rest:"

SESSION_SECRET_ENV = "HW_SESSION_SECRET"
MIN_SECRET_CHARS = 32
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_SIGNED = re.compile(r"^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$")
_SIGNING_CONTEXT = b"hechtwijzer web session v1:"
# The namespace each channel (by its Rasa name) keeps its conversations in.
CHANNEL_PREFIXES = {
    "socketio": WEB_PREFIX,
    "telegram": TELEGRAM_PREFIX,
    "rest": REST_PREFIX,
}


# ---------------------------------------------------------------- sender ids
def rest_sender_id(sender: str) -> str:
    """The conversation a REST client's ``sender`` names: always inside ``rest:``."""
    return sender if sender.startswith(REST_PREFIX) else REST_PREFIX + sender


def telegram_sender_id(chat_id: Union[int, str]) -> str:
    """The conversation of one Telegram chat."""
    return f"{TELEGRAM_PREFIX}{chat_id}"


def telegram_chat_id(sender_id: Union[int, str]) -> str:
    """The Telegram chat id behind a sender id (a bare chat id is returned as is)."""
    text = str(sender_id)
    return text[len(TELEGRAM_PREFIX) :] if text.startswith(TELEGRAM_PREFIX) else text


def web_sender_id(token: str) -> str:
    """The conversation of one widget session token."""
    return WEB_PREFIX + token


def owns_sender(channel: str, sender_id: str) -> bool:
    """True when ``sender_id`` lies in the namespace of ``channel`` (its Rasa name)."""
    prefix = CHANNEL_PREFIXES.get(channel)
    return bool(prefix) and sender_id.startswith(str(prefix))


# ------------------------------------------------------------ signed sessions
def configured_secret() -> Optional[str]:
    """``HW_SESSION_SECRET`` when it is set (empty counts as not set)."""
    value = os.environ.get(SESSION_SECRET_ENV, "").strip()
    return value or None


@dataclass
class SessionSigner:
    """Issues and checks the widget's session ids (``<token>.<signature>``)."""

    secret: bytes = field(repr=False)

    @classmethod
    def from_environment(cls) -> SessionSigner:
        """Sign with ``HW_SESSION_SECRET``; without it, with a secret for this process.

        ``./hw run`` always sets the variable (it keeps a generated secret in
        ``.hechtwijzer/session_secret``). A server started some other way without it
        still never accepts an unsigned id; its sessions just end with the process.
        """
        secret = configured_secret()
        if secret is None:
            logger.warning(
                "%s is not set: widget sessions are signed with a secret that lives "
                "only as long as this process.",
                SESSION_SECRET_ENV,
            )
            secret = secrets.token_urlsafe(48)
        return cls(secret.encode("utf-8"))

    def _signature(self, token: str) -> str:
        digest = hmac.new(
            self.secret, _SIGNING_CONTEXT + token.encode("ascii"), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def issue(self) -> str:
        """A fresh session id for the widget."""
        return self.sign(secrets.token_hex(16))

    def sign(self, token: str) -> str:
        """The session id for ``token`` (32 lower-case hex characters)."""
        if not _TOKEN.match(token):
            raise ValueError("a session token is 32 lower-case hex characters")
        return f"{token}.{self._signature(token)}"

    def verify(self, session_id: object) -> Optional[str]:
        """The token of a validly signed ``session_id``; None for anything else."""
        if not isinstance(session_id, str):
            return None
        match = _SIGNED.match(session_id)
        if match is None:
            return None
        token, signature = match.groups()
        if not hmac.compare_digest(signature, self._signature(token)):
            return None
        return token
