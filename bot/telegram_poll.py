"""Telegram polling mode: ``python -m bot.telegram_poll`` (``./hw telegram-poll``).

For a laptop without a public HTTPS address. It long-polls ``getUpdates`` and forwards
each update, with the webhook secret, to the running Hechtwijzer server's own Telegram
webhook (``/webhooks/telegram/webhook``). So polling and webhook mode share every line
of channel logic (guard, dedupe, commands, buttons, photos) and the single Rasa agent
of ``./hw run``; this process loads no model and needs no extra memory.

Exactly once: the server answers the forwarded update only after it processed it
(replies sent), and only then is the next offset written to a small JSON file
(atomically) and confirmed to Telegram with the next ``getUpdates``. After a crash
between the two, the update comes again, is skipped by the stored offset, and, had the
file not been written yet, is recognised by the server's ``update_id`` dedupe. An
update the server did not answer (not running, restarted mid-update, 5xx, no answer in
time) is forwarded again, in order, so nothing is lost; a second forward of an update
the server is still working on waits for it and is not processed twice. Updates go
one at a time, so a slow reply holds up the ones behind it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import os
import signal
import tempfile
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp

from bot.channels.telegram.api import (
    ALLOWED_UPDATES,
    SECRET_HEADER,
    BotApi,
    TelegramApiError,
    TelegramSettings,
)

logger = logging.getLogger(__name__)

DEFAULT_RASA_URL = "http://localhost:5005"
DEFAULT_OFFSET_FILE = ".hechtwijzer/telegram_offset.json"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
MAX_BACKOFF_SECONDS = 30.0
# The server answers after processing an update: a turn (action server included) plus
# delivering its replies, with retries, may take a while.
FORWARD_TIMEOUT_SECONDS = 180.0

Deliver = Callable[[Dict[str, Any]], Awaitable[bool]]


class ConfigurationError(RuntimeError):
    """A setting is wrong in a way that retrying cannot fix."""


class OffsetStore:
    """The next ``getUpdates`` offset of one bot, kept in a small JSON file."""

    def __init__(self, path: Path, access_token: str) -> None:
        """Store in ``path``; the bot is identified by a hash of its token."""
        self.path = Path(path)
        self.bot_key = hashlib.sha256(access_token.encode("utf-8")).hexdigest()[:16]

    def load(self) -> int | None:
        """The stored offset of this bot, or None when there is none (or it is unreadable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            logger.warning("Offset file %s unreadable; starting without it.", self.path)
            return None
        value = (
            (data.get("bots") or {}).get(self.bot_key)
            if isinstance(data, dict)
            else None
        )
        return int(value) if isinstance(value, int) else None

    def save(self, offset: int) -> None:
        """Write the offset atomically (a crash leaves the old or the new file)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            bots = dict(data.get("bots") or {}) if isinstance(data, dict) else {}
        except (OSError, ValueError):
            bots = {}
        bots[self.bot_key] = int(offset)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=".offset-", dir=str(self.path.parent)
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"bots": bots}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise


class WebhookForwarder:
    """Delivers updates to the running server's Telegram webhook, with the secret."""

    def __init__(
        self,
        rasa_url: str,
        secret_token: str,
        timeout: float = FORWARD_TIMEOUT_SECONDS,
    ) -> None:
        """Forward to ``rasa_url`` + ``/webhooks/telegram/webhook``."""
        self.url = rasa_url.rstrip("/") + WEBHOOK_PATH
        self.secret_token = secret_token
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __call__(self, update: Dict[str, Any]) -> bool:
        """True once the server processed the update (or it can never be accepted)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        headers = {SECRET_HEADER: self.secret_token}
        try:
            async with self._session.post(
                self.url,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as resp:
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            logger.warning(
                "Hechtwijzer server not reachable at %s (%r); retrying.",
                self.url,
                error,
            )
            return False
        if status == 200:
            return True
        if status == 403:
            raise ConfigurationError(
                "The server refused the webhook secret: start ./hw run and the poller "
                "with the same TELEGRAM_TOKEN and TELEGRAM_SECRET."
            )
        if status == 400:
            logger.error(
                "Server rejected update %s as invalid; skipped.",
                update.get("update_id"),
            )
            return True
        logger.warning(
            "Server answered %s (is TELEGRAM_TOKEN set for ./hw run?); retrying.",
            status,
        )
        return False


class TelegramPoller:
    """Long-polls ``getUpdates`` and hands each new update to ``deliver`` in order."""

    def __init__(
        self,
        api: BotApi,
        store: OffsetStore,
        deliver: Deliver,
        poll_timeout: int = 25,
        limit: int = 50,
    ) -> None:
        """Poll with ``api``; ``deliver`` returns True once an update is processed."""
        self.api = api
        self.store = store
        self.deliver = deliver
        self.poll_timeout = poll_timeout
        self.limit = limit
        self.offset: int | None = store.load()
        self.held_up = False  # the last round stopped at an update not yet processed

    async def prepare(self) -> None:
        """Remove a webhook (Telegram refuses getUpdates while one is set)."""
        await self.api.call(
            "deleteWebhook", {"drop_pending_updates": False}, timeout=15
        )

    async def poll_once(self, timeout: int | None = None) -> int:
        """One ``getUpdates`` round; returns how many updates were delivered."""
        wait = self.poll_timeout if timeout is None else timeout
        params: Dict[str, Any] = {
            "timeout": wait,
            "limit": self.limit,
            "allowed_updates": ALLOWED_UPDATES,
        }
        if self.offset is not None:
            params["offset"] = self.offset
        updates: List[Dict[str, Any]] = (
            await self.api.call("getUpdates", params, timeout=wait + 15, attempts=1)
            or []
        )
        delivered = 0
        self.held_up = False
        for update in sorted(updates, key=lambda u: int(u.get("update_id", 0))):
            update_id = int(update.get("update_id", 0))
            if self.offset is not None and update_id < self.offset:
                continue  # handled before a restart; Telegram had not been told yet
            if not await self.deliver(update):
                self.held_up = True
                break  # keep the order: try this one again next round
            self.offset = update_id + 1
            self.store.save(self.offset)
            delivered += 1
        return delivered

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set, backing off while Telegram or the server is down."""
        backoff = 1.0
        prepared = False
        while not stop.is_set():
            try:
                if not prepared:
                    await self.prepare()
                    prepared = True
                    logger.info("Polling Telegram for updates (Ctrl+C stops).")
                await self.poll_once()
                if not self.held_up:
                    backoff = 1.0
                    continue
                # The server did not process an update: wait before offering it again
                # (getUpdates would hand it back at once).
            except TelegramApiError as error:
                if error.status == 401:
                    raise ConfigurationError(
                        "Telegram does not know this TELEGRAM_TOKEN."
                    ) from None
                if error.status == 409:
                    prepared = False
                    logger.error(
                        "A webhook is set for this bot; leave TELEGRAM_WEBHOOK_URL empty "
                        "in polling mode. Removing the webhook and retrying."
                    )
                else:
                    logger.error("Telegram polling failed: %s; retrying.", error)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


def default_rasa_url() -> str:
    """``HW_RASA_URL``, else the local server on ``HW_PORT``, else port 5005."""
    explicit = os.environ.get("HW_RASA_URL", "").strip()
    if explicit:
        return explicit
    port = os.environ.get("HW_PORT", "").strip()
    return f"http://localhost:{port}" if port.isdigit() else DEFAULT_RASA_URL


def settings_from_env() -> TelegramSettings:
    """The same settings ``credentials.yml`` gives the server, from the environment."""
    return TelegramSettings.from_mapping(
        {
            "access_token": os.environ.get("TELEGRAM_TOKEN", ""),
            "webhook_url": os.environ.get("TELEGRAM_WEBHOOK_URL", ""),
            "secret_token": os.environ.get("TELEGRAM_SECRET", ""),
            "api_base_url": os.environ.get("TELEGRAM_API_BASE_URL", ""),
        }
    )


async def run_poller(
    settings: TelegramSettings,
    rasa_url: str,
    offset_file: Path,
    once: bool = False,
    poll_timeout: int = 25,
) -> int:
    """Run polling mode; with ``once`` handle what is queued now and return."""
    api = BotApi(settings.access_token, settings.api_base_url)
    forwarder = WebhookForwarder(rasa_url, settings.secret_token)
    poller = TelegramPoller(
        api, OffsetStore(offset_file, settings.access_token), forwarder, poll_timeout
    )
    try:
        if once:
            await poller.prepare()
            total = 0
            while True:
                delivered = await poller.poll_once(timeout=0)
                total += delivered
                if delivered == 0:
                    return total
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await poller.run(stop)
        return 0
    finally:
        await forwarder.close()
        await api.close()


def main(argv: List[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.telegram_poll",
        description="Poll Telegram for updates and forward them to the Hechtwijzer server.",
    )
    parser.add_argument(
        "--rasa-url",
        default=default_rasa_url(),
        help="base URL of the running server (default: $HW_RASA_URL, else "
        "http://localhost:$HW_PORT, else %(default)s)",
    )
    parser.add_argument(
        "--offset-file",
        default=os.environ.get("HW_TELEGRAM_OFFSET_FILE", DEFAULT_OFFSET_FILE),
        help="where the next update offset is kept (default: %(default)s)",
    )
    parser.add_argument(
        "--once", action="store_true", help="handle queued updates, then stop"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    settings = settings_from_env()
    if not settings.enabled:
        logger.error("Set TELEGRAM_TOKEN (from BotFather) first; see docs/telegram.md.")
        return 2
    try:
        delivered = asyncio.run(
            run_poller(settings, args.rasa_url, Path(args.offset_file), once=args.once)
        )
    except ConfigurationError as error:
        logger.error("%s", error)
        return 2
    except KeyboardInterrupt:
        return 0
    if args.once:
        logger.info("Forwarded %d update(s).", delivered)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
