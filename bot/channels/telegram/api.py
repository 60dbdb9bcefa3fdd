"""Telegram Bot API client and channel settings, without Rasa or Sanic.

The polling forwarder (``bot/telegram_poll.py``) runs beside the server as a small
process of its own and imports only this module, so it loads no model, Rasa or Sanic.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Tuple

import aiohttp

DEFAULT_API_BASE_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


# --------------------------------------------------------------------------- settings
def derive_secret(access_token: str) -> str:
    """A webhook secret derived from the token, used when none is configured.

    The server and the polling forwarder both know the token, so both arrive at the
    same secret without another variable; the token itself never leaves the machine.
    """
    digest = hmac.new(
        access_token.encode("utf-8"), b"hechtwijzer-telegram-webhook", hashlib.sha256
    )
    return digest.hexdigest()


@dataclass(frozen=True)
class TelegramSettings:
    """Channel settings from ``credentials.yml`` (values come from the environment)."""

    access_token: str = ""
    webhook_url: str = ""
    secret_token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> TelegramSettings:
        """Read settings, treating missing or empty values as defaults."""
        values = values or {}

        def get(key: str) -> str:
            value = values.get(key)
            return str(value).strip() if value is not None else ""

        token = get("access_token")
        secret = get("secret_token") or (derive_secret(token) if token else "")
        base = get("api_base_url").rstrip("/") or DEFAULT_API_BASE_URL
        return cls(token, get("webhook_url"), secret, base)

    @property
    def enabled(self) -> bool:
        """True when a bot token is configured."""
        return bool(self.access_token)


# --------------------------------------------------------------------------- Bot API
class TelegramApiError(Exception):
    """The Bot API answered ``ok: false`` or could not be reached."""

    def __init__(
        self,
        method: str,
        description: str,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        """Describe a failed call (``status`` 0 means Telegram was not reached)."""
        super().__init__(f"{method}: {status} {description}")
        self.method = method
        self.description = description
        self.status = status
        self.retry_after = retry_after


class BotApi:
    """Minimal Telegram Bot API client on aiohttp against a configurable base URL."""

    def __init__(
        self,
        access_token: str,
        base_url: str = DEFAULT_API_BASE_URL,
        timeout: float = 20.0,
    ) -> None:
        """Prepare a client; the HTTP session is opened lazily on first use."""
        self.access_token = access_token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def redact(self, text: str) -> str:
        """Remove the token from text that goes to the logs."""
        return text.replace(self.access_token, "<token>") if self.access_token else text

    def _session_for_loop(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if (
            self._session is None
            or self._session.closed
            or self._session_loop is not loop
        ):
            self._session = aiohttp.ClientSession()
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None and not self._session.closed:
            with contextlib.suppress(Exception):
                await self._session.close()
        self._session = None

    async def call(
        self,
        method: str,
        params: Dict[str, Any] | None = None,
        *,
        upload: Tuple[str, bytes, str, str] | None = None,
        timeout: float | None = None,
        attempts: int = 2,
    ) -> Any:
        """Call ``method``; ``upload`` is (field, bytes, filename, content type).

        Retries once on flood control (429, waiting ``retry_after`` up to 10 s), on a
        5xx and when Telegram cannot be reached; raises :class:`TelegramApiError`.
        """
        last: TelegramApiError | None = None
        for attempt in range(max(1, attempts)):
            try:
                return await self._call_once(method, params or {}, upload, timeout)
            except TelegramApiError as error:
                last = error
                retryable = error.status in (0, 429) or error.status >= 500
                if not retryable or attempt + 1 >= attempts:
                    raise
                await asyncio.sleep(min(error.retry_after or 0.5, 10.0))
        raise last or TelegramApiError(method, "no attempt made")  # pragma: no cover

    async def _call_once(
        self,
        method: str,
        params: Dict[str, Any],
        upload: Tuple[str, bytes, str, str] | None,
        timeout: float | None,
    ) -> Any:
        url = f"{self.base_url}/bot{self.access_token}/{method}"
        client_timeout = aiohttp.ClientTimeout(total=timeout or self.timeout)
        session = self._session_for_loop()
        try:
            if upload is None:
                request = session.post(url, json=params, timeout=client_timeout)
            else:
                form = aiohttp.FormData()
                for key, value in params.items():
                    form.add_field(
                        key,
                        (
                            json.dumps(value)
                            if isinstance(value, (dict, list))
                            else str(value)
                        ),
                    )
                field, data, filename, content_type = upload
                form.add_field(
                    field, data, filename=filename, content_type=content_type
                )
                request = session.post(url, data=form, timeout=client_timeout)
            async with request as resp:
                try:
                    body = await resp.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    body = {"ok": False, "description": f"HTTP {resp.status}"}
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise TelegramApiError(
                method, self.redact(f"Telegram not reachable: {error!r}")
            ) from None
        if isinstance(body, dict) and body.get("ok"):
            return body.get("result")
        body = body if isinstance(body, dict) else {}
        retry_after = (body.get("parameters") or {}).get("retry_after")
        raise TelegramApiError(
            method,
            self.redact(str(body.get("description", "unknown error"))),
            int(body.get("error_code") or status),
            float(retry_after) if retry_after is not None else None,
        )


def is_retryable(error: TelegramApiError) -> bool:
    """Flood control, a Telegram server error or no answer at all: worth retrying."""
    return error.status in (0, 429) or error.status >= 500
