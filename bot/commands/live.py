"""`LiveReply`: one message shown at once and edited in place as results arrive.

/compare shows a placeholder, then each model's answer as it comes. Edits go
through `Channel.update` (Slack ``chat.update``, or the command's
``response_url`` where the bot may not post; Telegram ``editMessageText``).
Edits are coalesced: while one is on its way, newer states replace each
other and only the latest is sent next. That keeps a burst of answers to a
couple of API calls, within Slack's five uses of a ``response_url`` and
Telegram's edit rate limits, without ever delaying the first edit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from channels.base import Channel, IncomingMessage, OutgoingMessage
from channels.text import shorten

log = logging.getLogger(__name__)

#: Called once with the final text and the channel's ids of the message.
FinishHook = Callable[[str, list[str]], Awaitable[None]]


class LiveReply:
    """A reply to ``incoming`` that is edited in place; a no-op display without a channel."""

    def __init__(self, incoming: IncomingMessage, channel: Channel | None) -> None:
        self.incoming = incoming
        self.channel = channel
        self.sent_id: str | None = None
        self.on_finish: FinishHook | None = None
        #: How many edits reached the channel (for tests and logs).
        self.edits = 0
        self._pending: OutgoingMessage | None = None
        self._sender: asyncio.Task[None] | None = None
        self._finished = False

    async def show(self, message: OutgoingMessage) -> None:
        """Send the first version of the message.

        A public message is posted in the conversation, where it can be edited
        freely (Slack ``chat.postMessage`` then ``chat.update``). Where that is
        refused (a Slack channel the bot is not in), or for a private message,
        it is the command's answer (Slack's ``response_url``, which takes five
        messages and edits in all).
        """
        if self.channel is None or not self.channel.edits_in_place:
            return
        fitted = self._fit(message)
        if not fitted.private:
            try:
                self.sent_id = await self.channel.send(self.incoming.conversation_key, fitted)
                return
            except Exception as exc:
                log.info(
                    "could not post in %s (%s); answering the command instead",
                    self.incoming.conversation_key,
                    exc,
                )
        try:
            self.sent_id = await self.channel.reply(self.incoming, fitted)
        except Exception:
            # The command still runs and stores its result; the final send retries.
            log.exception("could not show the first %s message", self.incoming.channel)

    async def update(self, message: OutgoingMessage) -> None:
        """Replace the message with ``message`` soon; returns without waiting for the channel."""
        if self.channel is None or self._finished or not self.channel.edits_in_place:
            return
        self._pending = self._fit(message)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_pending())

    async def finish(self, message: OutgoingMessage) -> list[str]:
        """Show the final ``message``, store it as the reply, and return the channel's ids."""
        self._finished = True
        self._pending = None
        if self._sender is not None:
            await asyncio.gather(self._sender, return_exceptions=True)
        sent: list[str] = []
        if self.channel is not None:
            final = self._fit(message)
            try:
                sent = [await self._edit_or_send(final)]
            except Exception:
                # The edit was refused (Slack allows five uses of a response_url; the
                # message may be gone): the result still reaches the asker, as a new message.
                log.warning(
                    "could not edit the %s message; sending the result anew",
                    self.incoming.channel,
                    exc_info=True,
                )
                try:
                    sent = [await self.channel.reply(self.incoming, final)]
                except Exception:
                    log.exception("could not show the final %s message", self.incoming.channel)
        if self.on_finish is not None:
            await self.on_finish(message.text, sent)
        return sent

    async def _send_pending(self) -> None:
        while self._pending is not None and not self._finished:
            message, self._pending = self._pending, None
            try:
                await self._edit_or_send(message)
            except Exception:
                log.exception("could not update the %s message", self.incoming.channel)

    async def _edit_or_send(self, message: OutgoingMessage) -> str:
        assert self.channel is not None
        if self.sent_id is None:
            self.sent_id = await self.channel.reply(self.incoming, message)
        else:
            self.sent_id = await self.channel.update(
                self.incoming.conversation_key, self.sent_id, message
            )
            self.edits += 1
        return self.sent_id

    def _fit(self, message: OutgoingMessage) -> OutgoingMessage:
        # A live message is one message: it is shortened, never split.
        assert self.channel is not None
        return replace(message, text=shorten(message.text, self.channel.max_text_length))
