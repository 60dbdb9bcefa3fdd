"""One guarded turn, the same for every channel.

A channel keeps only its transport: how a message arrives, whose conversation it is
(the sender id, built with ``bot/channels/identity.py``), and how replies travel.
Everything between the arrival and the last reply runs here, in this order:

Input rules, before Rasa sees anything:

1. **ownership**: the sender id lies in the channel's own namespace (``rest:``,
   ``web:``, ``tg:``); a turn for another channel's conversation never runs;
2. **rate limit**: within the limits of the conversation and the address, or the
   text may be a crisis (``ratelimit.admit``: a crisis is never refused); a refused
   message is not processed and the channel shows :meth:`TurnPipeline.refusal_text`;
3. **queue**: the turn counts as running for its conversation until it is done;
4. **text** (``MessageGuard.prepare``): empty and unusable input, control
   characters, a typed ``/payload`` only when the bot sent that button (or the
   channel itself vouches for it: ``trusted_payload``), text too long for NLU
   (``HW_MAX_MESSAGE_CHARS``) replaced after the crisis pre-screen;
5. **metadata**: only allowed client metadata reaches Rasa (``limits.client_metadata``).

Output: the channel's own output channel is wrapped in a ``GuardedOutputChannel``
(markers acted on and never shown, what was delivered counted, help lines that did
not arrive kept).

After the turn (``MessageGuard.finish``): the buttons just sent are remembered, a
requested deletion runs under the conversation's lock, help lines that did not
arrive are sent again, and silence becomes a friendly message. Then the channel
does its own after-turn step (the widget forgets its copy, Telegram retires old
keyboards) with the returned :class:`TurnOutcome`.

Text that a channel does not hand to Rasa whole (Telegram's commands, edits and
groups) goes through :meth:`TurnPipeline.must_reach_rasa` first: what the detector
flags is handed over as typed text, so the crisis handling runs.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncContextManager,
    Awaitable,
    Callable,
    ContextManager,
    Optional,
    Sequence,
)

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.guard import (
    GuardedOutputChannel,
    MessageGuard,
    as_text,
    screening_level,
)
from bot.channels.identity import owns_sender
from bot.channels.limits import client_metadata
from bot.channels.ratelimit import (
    FLAGGED_LEVELS,
    RateLimiter,
    admit,
    limit_text,
    shared_limiter,
)
from hechtwijzer_core.helplines import crisis_reply

if TYPE_CHECKING:  # pragma: no cover
    from rasa.core.agent import Agent

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Thinking = Callable[[], AsyncContextManager[Any]]


class ForeignSender(ValueError):
    """A channel asked for a turn in a conversation outside its own namespace."""


@dataclass(frozen=True)
class TurnRequest:
    """One message as the channel received it, before any rule ran.

    ``message`` is what the person sent, as the client sent it (any JSON value).
    ``screened`` is the text the rate limit screens for a crisis before refusing
    (default: ``message`` as text); a channel passes ``""`` for what cannot carry
    one (a button press).
    """

    sender_id: str
    message: Any
    address: Optional[str] = None
    trusted_payload: Optional[str] = None
    metadata: Any = None
    screened: Optional[str] = None

    @property
    def screened_text(self) -> str:
        """The text screened when the limits would refuse this message."""
        return as_text(self.message) if self.screened is None else self.screened


@dataclass(frozen=True)
class TurnOutcome:
    """What became of a request: refused, or the turn's guarded output."""

    output: Optional[GuardedOutputChannel] = None
    text: str = ""

    @property
    def refused(self) -> bool:
        """True when the limits refused the message (nothing was processed)."""
        return self.output is None

    @property
    def deleted(self) -> bool:
        """True when the turn's conversation was really deleted (tell the client)."""
        return self.output is not None and self.output.delete_requested


class TurnPipeline:
    """The guarded turn of one channel (``channel``: its name, e.g. ``rest``)."""

    def __init__(
        self,
        channel: str,
        guard: Optional[MessageGuard] = None,
        limiter: Callable[[], RateLimiter] = shared_limiter,
    ) -> None:
        """Rules of ``guard``; ``limiter`` gives the rate limiter to use now."""
        self.channel = channel
        self.guard = guard or MessageGuard()
        self._limiter = limiter

    @property
    def limiter(self) -> RateLimiter:
        """The rate limiter (the server's shared one unless the channel chose)."""
        return self._limiter()

    # ------------------------------------------------------------ input rules
    def check_owner(self, sender_id: str) -> None:
        """Raise ``ForeignSender`` for a sender outside this channel's namespace."""
        if not owns_sender(self.channel, sender_id):
            logger.error(
                "%s channel: a turn for another namespace refused.", self.channel
            )
            raise ForeignSender(sender_id)

    async def admit(
        self, sender_id: str, screened: str, address: Optional[str] = None
    ) -> bool:
        """Within the limits, or ``screened`` may be a crisis (then never refused)."""
        return await admit(self.limiter, address, sender_id, screened)

    def running(self, sender_id: str) -> ContextManager[None]:
        """Count a turn of ``sender_id`` as in flight while the block runs."""
        return self.limiter.running(sender_id)

    @staticmethod
    def refusal_text() -> str:
        """The kind Dutch text for a message the limits refused."""
        return limit_text()

    @staticmethod
    async def must_reach_rasa(text: str) -> bool:
        """Crisis pre-screen: True when ``text`` must reach Rasa as typed text.

        For text the channel would otherwise not hand over whole. A crisis or
        check-in signal says yes; when the detector itself fails, Rasa's own
        understanding decides (yes as well).
        """
        return await screening_level(text) in FLAGGED_LEVELS

    # ------------------------------------------------------------ the turn
    async def handle(
        self,
        agent: Optional[Agent],
        request: TurnRequest,
        inner: OutputChannel,
        on_new_message: OnNewMessage,
    ) -> TurnOutcome:
        """Every step for one message: the limits, then :meth:`run_turn`."""
        self.check_owner(request.sender_id)
        if not await self.admit(
            request.sender_id, request.screened_text, request.address
        ):
            return TurnOutcome()
        with self.running(request.sender_id):
            return await self.run_turn(agent, request, inner, on_new_message)

    async def run_turn(
        self,
        agent: Optional[Agent],
        request: TurnRequest,
        inner: OutputChannel,
        on_new_message: OnNewMessage,
        thinking: Optional[Thinking] = None,
    ) -> TurnOutcome:
        """Guard the text, hand it to Rasa, then the after-turn steps.

        ``thinking`` is entered around Rasa's part only (Telegram shows "typing…").
        Never raises for a failure inside Rasa: the guard answers a silent turn.
        """
        self.check_owner(request.sender_id)
        sender_id = request.sender_id
        text = await self.guard.prepare(
            agent, sender_id, request.message, request.trusted_payload
        )
        output = GuardedOutputChannel(inner)
        message = UserMessage(
            text,
            output,
            sender_id,
            input_channel=self.channel,
            metadata=client_metadata(request.metadata),
        )
        async with thinking() if thinking else contextlib.nullcontext():
            try:
                await on_new_message(message)
            except Exception:  # noqa: BLE001 - the person must get an answer
                logger.exception(
                    "%s message handling failed (text not logged).", self.channel
                )
        await self.guard.finish(agent, sender_id, output, text)
        return TurnOutcome(output, text)

    # ------------------------------------------------------------ output
    @staticmethod
    async def deliver_helplines(
        inner: OutputChannel, recipient_id: str, categories: Sequence[str] = ()
    ) -> bool:
        """Send the crisis reply outside a turn; True when it was delivered."""
        output = GuardedOutputChannel(inner)
        return await output.deliver_text(recipient_id, crisis_reply(categories))
