"""Rules every Hechtwijzer channel applies to what goes in and what comes out.

Going in (``MessageGuard.prepare``): empty text, text too long for NLU and typed
``/intent{...}`` payloads are replaced before Rasa sees them. A payload is honoured
only when it is the payload of a button the bot really sent in this conversation,
so nobody can type ``/restart`` or set slots through entities.

Coming out (``GuardedOutputChannel`` + ``MessageGuard.finish``): markers that actions
send for the channel (delete this conversation) are acted on and never shown; a
message counts as shown only when the channel delivered it (a channel raises when it
could not, after its own retries); a crisis turn whose help lines did not arrive gets
them sent again, and a turn in which the bot said nothing gets a friendly Dutch
message instead of silence.

Deleting: after the turn that asked for it, ``finish`` deletes the conversation under
the conversation's lock (the same lock Rasa holds for a turn, so no turn of this
person runs meanwhile, on any server) and only then tells the person it is gone
(``utter_data_deleted``); when the database refuses, nothing was deleted and the
person is told so (``utter_data_delete_failed``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, Optional, Set

import aiohttp
from rasa.core.channels.channel import OutputChannel

from bot import settings
from hechtwijzer_core import contract
from hechtwijzer_core.crisis import detect
from hechtwijzer_core.helplines import helpline_content, offline_crisis_reply

if TYPE_CHECKING:  # pragma: no cover
    from rasa.core.agent import Agent

logger = logging.getLogger(__name__)

BOT_EVENTS_SCANNED = 60
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Leading slashes, spaces, control and invisible format characters: all of them go
# before typed text reaches Rasa, so "/ /restart" or "\u200b/restart" is never a command.
_COMMAND_PREFIX = re.compile(
    r"^[\s/\x00-\x1f\x7f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\uff0f]+"
)


def max_message_chars() -> int:
    """Longest text (characters) that is handed to NLU, from ``HW_MAX_MESSAGE_CHARS``."""
    return settings.max_message_chars()


def as_text(value: Any) -> str:
    """Turn whatever a client sent as the message into text ('' when unusable)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _button_payloads(event: Dict[str, Any]) -> Set[str]:
    data = event.get("data") or {}
    payloads: Set[str] = set()
    for key in ("buttons", "quick_replies"):
        for button in data.get(key) or []:
            if isinstance(button, dict) and isinstance(button.get("payload"), str):
                payloads.add(button["payload"].strip())
    return payloads


def strip_command_prefix(text: str) -> str:
    """Typed text without any leading slashes, spaces or invisible characters."""
    return _COMMAND_PREFIX.sub("", text)


def screening_budget() -> float:
    """Seconds the detector may spend on one long message (``HW_CRISIS_BUDGET``)."""
    return settings.crisis_budget()


async def screen_text(text: str) -> Optional[Any]:
    """The crisis detector's reading of ``text``, off the event loop (None on failure).

    The one place where channels screen text outside NLU: messages too long for
    it, refused by a rate limit, or that Telegram does not hand to Rasa whole. The
    whole text is read in time linear in its length, within ``screening_budget()``.
    """
    try:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, functools.partial(detect, text, budget=screening_budget())
        )
    except Exception:  # noqa: BLE001 - callers choose the safe way for their case
        logger.exception("Crisis detector failed (text not logged).")
        return None


async def screening_level(text: str) -> str:
    """The safety level of ``text``: ``crisis``, ``check`` or ``none``.

    For a text the channels read outside NLU (too long for it, refused by a rate
    limit, not handed to Rasa whole). A text that could not be read in time, or a
    detector failure, counts as ``check`` (the person is asked directly).
    """
    if not text.strip():
        return "none"
    result = await screen_text(text)
    return "check" if result is None else str(result.level)


async def sent_button_payloads(agent: Agent, sender_id: str) -> Set[str]:
    """Payloads of the buttons the bot sent to ``sender_id`` recently."""
    if agent is None or agent.tracker_store is None:
        return set()
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return set()
    payloads: Set[str] = set()
    seen = 0
    for event in reversed(tracker.events):
        if getattr(event, "type_name", None) != "bot":
            continue
        payloads |= _button_payloads(event.as_dict())
        seen += 1
        if seen >= BOT_EVENTS_SCANNED:
            break
    return payloads


def carries_helplines(text: str) -> bool:
    """True when ``text`` is a crisis reply: it holds every help line that must appear.

    The strings come from ``hechtwijzer_core/content/helplines.yml``
    (``must_appear``), the one place with the numbers; every crisis reply contains
    all of them.
    """
    if not text:
        return False
    try:
        required = [str(s) for s in helpline_content().get("must_appear") or []]
    except Exception:  # noqa: BLE001 - without the content no reply is recognised
        logger.exception("Help-line content unreadable: crisis replies not recognised.")
        return False
    return bool(required) and all(s in text for s in required)


class GuardedOutputChannel(OutputChannel):
    """Wraps a channel's output: hides channel markers, records what was delivered.

    The wrapped channel raises when it could not deliver a message (after whatever
    retries it makes itself). This wrapper never raises, so Rasa always finishes the
    turn and stores it; it counts a message as ``shown`` only once the wrapped
    channel delivered it, and keeps the crisis replies (help lines) that did not
    arrive, so :meth:`MessageGuard.finish` can try them again.
    """

    def __init__(self, inner: OutputChannel) -> None:
        """Wrap ``inner``."""
        self.inner = inner
        self.shown = 0
        self.failed = 0
        self.crisis_shown = 0
        self.crisis_undelivered: List[str] = []
        # Set by the action's marker; after MessageGuard.finish it stays True only
        # when the conversation was really deleted (channels then tell their
        # client to forget its copy). ``deleted``: None (not asked), True, False.
        self.delete_requested = False
        self.deleted: Optional[bool] = None
        self.sent_payloads: Set[str] = set()

    def name(self) -> str:  # type: ignore[override]
        """Use the wrapped channel's name (stored with each event)."""
        return self.inner.name()

    async def _deliver(
        self,
        text: str,
        send: Callable[[], Awaitable[Any]],
        payloads: Optional[Set[str]] = None,
    ) -> bool:
        """Run ``send``; record whether the message arrived. Never raises."""
        crisis = carries_helplines(text)
        try:
            await send()
        except Exception as error:  # noqa: BLE001 - recorded, the turn goes on
            self.failed += 1
            if crisis:
                self.crisis_undelivered.append(text)
                logger.error("The help lines could not be delivered: %s", error)
            else:
                logger.warning("A message could not be delivered: %s", error)
            return False
        self.shown += 1
        if crisis:
            self.crisis_shown += 1
        self.sent_payloads |= payloads or set()
        return True

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Forward a bot message, acting on markers instead of showing them."""
        if message.get("custom") == contract.DELETE_MARKER:
            self.delete_requested = True
            message = {k: v for k, v in message.items() if k != "custom"}
        if any(message.get(k) for k in ("text", "image", "buttons", "custom")):
            # Read before sending: channels take the message apart (pop) as they go.
            text = str(message.get("text") or "")
            payloads = _button_payloads({"data": message})
            await self._deliver(
                text,
                lambda: self.inner.send_response(recipient_id, message),
                payloads,
            )

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Send plain text through the wrapped channel."""
        await self.deliver_text(recipient_id, text, **kwargs)

    async def deliver_text(self, recipient_id: str, text: str, **kwargs: Any) -> bool:
        """Send text through the wrapped channel; True when it was delivered."""
        return await self._deliver(
            text, lambda: self.inner.send_text_message(recipient_id, text, **kwargs)
        )


@dataclass
class MessageGuard:
    """Input and output rules shared by all channels."""

    max_chars: int = field(default_factory=max_message_chars)
    # Button payloads this server sent each person in their latest turn with
    # buttons: a press of one of them needs no tracker read. Anything else is
    # checked against the stored conversation (the authority, also across servers).
    recent_payloads: OrderedDict[str, Set[str]] = field(default_factory=OrderedDict)
    recent_limit: int = 10_000

    def remember(self, sender_id: str, payloads: Set[str]) -> None:
        """Keep the payloads just sent to ``sender_id`` (bounded, oldest dropped)."""
        if not payloads:
            return
        self.recent_payloads[sender_id] = set(payloads)
        self.recent_payloads.move_to_end(sender_id)
        while len(self.recent_payloads) > self.recent_limit:
            self.recent_payloads.popitem(last=False)

    async def prepare(
        self,
        agent: Optional[Agent],
        sender_id: str,
        raw_text: Any,
        trusted_payload: Optional[str] = None,
    ) -> str:
        """Return the text to hand to Rasa for what the person sent."""
        if trusted_payload:
            return trusted_payload
        text = _CONTROL_CHARS.sub(" ", as_text(raw_text)).strip()
        if not text:
            return contract.EMPTY_MESSAGE
        if text.startswith("/"):
            if text in self.recent_payloads.get(sender_id, ()):
                return text
            if agent is not None and text in await sent_button_payloads(
                agent, sender_id
            ):
                return text
        text = strip_command_prefix(text)
        if not text:
            return contract.EMPTY_MESSAGE
        if len(text) > self.max_chars:
            level = await screening_level(text)
            if level == "crisis":
                return contract.CRISIS_PAYLOAD
            return (
                contract.CRISIS_CHECK_PAYLOAD
                if level == "check"
                else contract.INPUT_TOO_LONG
            )
        return text

    async def finish(
        self,
        agent: Optional[Agent],
        sender_id: str,
        output: GuardedOutputChannel,
        text: str = "",
    ) -> None:
        """After a turn: delete the conversation if asked, never leave silence.

        ``text`` is what was handed to Rasa. A crisis turn whose help lines did not
        arrive gets them again, through the same (retrying) channel: the reply that
        failed, or, when the bot said nothing at all, one built here without the
        action server. A turn that stayed silent otherwise gets a friendly message.
        """
        self.remember(sender_id, output.sent_payloads)
        if output.delete_requested and agent is not None:
            await self.delete_and_tell(agent, sender_id, output)
        crisis: Optional[str] = None
        if output.crisis_undelivered and not output.crisis_shown:
            crisis = output.crisis_undelivered[0]
        elif output.shown == 0 and agent is not None:
            crisis = await offline_crisis_text(agent, sender_id, text)
        if crisis:
            logger.error("Crisis turn without delivered help lines: sending them now.")
            if not await output.deliver_text(sender_id, crisis):
                logger.error("The help lines could not be delivered at all.")
            return
        if output.shown or agent is None:
            return
        if output.failed:
            # The bot did answer; the channel could not deliver it (already logged).
            # "I did not understand" would be wrong, and would not arrive either.
            return
        reason = (
            contract.DEFAULT_RESPONSE
            if await action_server_alive(agent)
            else contract.TECHNICAL_PROBLEM_RESPONSE
        )
        logger.warning("Turn without a reply; sent %s.", reason)
        await output.deliver_text(sender_id, response_text(agent, reason))

    async def delete_and_tell(
        self, agent: Agent, sender_id: str, output: GuardedOutputChannel
    ) -> bool:
        """Delete the conversation, then say whether it worked (never before)."""
        deleted = await delete_conversation(agent, sender_id)
        output.deleted = deleted
        output.delete_requested = deleted
        if deleted:
            self.recent_payloads.pop(sender_id, None)
        reason = (
            contract.DATA_DELETED_RESPONSE
            if deleted
            else contract.DATA_DELETE_FAILED_RESPONSE
        )
        await output.deliver_text(
            sender_id, response_text(agent, reason, output.name())
        )
        return deleted


async def offline_crisis_text(agent: Agent, sender_id: str, text: str) -> Optional[str]:
    """Help-line reply for a silent crisis turn (never depends on the action server)."""
    intent = None
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is not None:
        intent = (tracker.latest_message.intent or {}).get("name")
        text = text or tracker.latest_message.text or ""
    return offline_crisis_reply(text, intent)


async def delete_conversation(agent: Agent, sender_id: str) -> bool:
    """Delete every stored event of ``sender_id`` under its lock; True when done.

    Runs after Rasa saved the turn that asked for it. The lock is the conversation
    lock of ``agent.lock_store`` (Redis with several servers): a turn of this person
    that arrives meanwhile waits, and then starts a new, empty conversation. The
    rows and the tombstone go in one transaction (``bot.cleanup.delete_sender``);
    when anything fails, nothing is deleted and the error is logged.
    """
    from bot.cleanup import delete_sender
    from bot.health import describe_error

    lock_store = getattr(agent, "lock_store", None)
    try:
        if lock_store is None:
            rows = delete_sender(agent.tracker_store, sender_id)
        else:
            async with lock_store.lock(sender_id):
                rows = delete_sender(agent.tracker_store, sender_id)
    except Exception as error:  # noqa: BLE001 - the person is told; nothing deleted
        logger.error(
            "Deleting a conversation on request FAILED (%s); nothing was deleted.",
            describe_error(error),
        )
        return False
    logger.info("Deleted a conversation on request (%d rows).", rows)
    return True


async def action_server_alive(agent: Agent) -> bool:
    """Ask the action server's ``/health`` whether it answers."""
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is None or not endpoint.url:
        return True
    url = re.sub(r"/webhook/?$", "", endpoint.url) + "/health"
    try:
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(url) as resp:
                return resp.status == 200
    except (aiohttp.ClientError, OSError, TimeoutError):
        return False
    except Exception:  # noqa: BLE001 - any failure means "not alive"
        return False


def response_text(agent: Agent, name: str, channel: Optional[str] = None) -> str:
    """First text variant of a domain response (Dutch text stays in the domain).

    Like Rasa, a variant for ``channel`` (``channel: telegram``) wins over the
    variants without a channel.
    """
    variants: List[Dict[str, Any]] = []
    if agent.domain is not None:
        variants = agent.domain.responses.get(name) or []
    texts = [v for v in variants if v.get("text")]
    mine = [v for v in texts if channel and v.get("channel") == channel]
    general = [v for v in texts if not v.get("channel")]
    for variant in mine or general:
        return str(variant["text"])
    return "…"
