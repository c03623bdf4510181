"""`Outbox`: the one way anything the bot says reaches a channel.

Answers (`send_reply`), follow-ups, the handoff desk's relays and ops posts
(`send_to`, `update`), commands and notes to a sender (`say`) all send here,
never through a channel object of their own. Each send is fitted to the
channel, split into parts and checked for consent: every part goes through
the channel's ``send``/``reply``, which refuses an address that opted out
(`RecipientOptedOutError`; the SMS channel reads the opt-out from the
database before each send, proactive ones included). Around the
send, the reply's ``send_state`` records how far it got, so a job that runs
again after its worker died knows what to do with a reply already stored:

- ``pending``: stored, never handed to the channel: send it now;
- ``sending``: handed to the channel when the worker died: maybe delivered.
  Marked ``unknown`` and never sent again (the vendors take no idempotency
  key for a send, so a second send could be a second text);
- ``sent`` / ``not_sent`` / ``failed``: done.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from channels.base import Channel, IncomingMessage, OutgoingMessage
from channels.errors import ChannelError, RecipientOptedOutError
from channels.text import shorten, split_text
from memory.conversations import ConversationStore
from memory.pipeline import NOT_SENT, PENDING, SENDING, PipelineStore

log = logging.getLogger(__name__)


class ChannelOffError(ChannelError):
    """A send on a channel that is not on in this process."""


class Outbox:
    """Sends replies on the channels that are on, recording each send's state."""

    def __init__(
        self, *, channels: Mapping[str, Channel], conversations: ConversationStore | None = None
    ) -> None:
        """``conversations`` records the state of stored replies' sends (`send_reply` with
        a ``reply_id``); an outbox for posts that are not replies (`OpsChannel`) has none."""
        # A copy: channels that start later join through `register`.
        self.channels: dict[str, Channel] = dict(channels)
        self._conversations = conversations
        self._store = (
            None if conversations is None else PipelineStore(conversations.db, conversations)
        )

    @property
    def conversations(self) -> ConversationStore:
        """Where replies' sends are recorded."""
        if self._conversations is None:
            raise RuntimeError("this outbox records no replies (it has no conversation store)")
        return self._conversations

    @property
    def store(self) -> PipelineStore:
        """The send states of stored replies."""
        if self._store is None:
            raise RuntimeError("this outbox records no replies (it has no conversation store)")
        return self._store

    def channel(self, name: str) -> Channel | None:
        """The channel ``name`` if it is on: for its limits, profiles and live edits."""
        return self.channels.get(name)

    def register(self, name: str, channel: Channel) -> None:
        """Send ``name``'s replies through ``channel`` (a channel adapter, once started)."""
        self.channels[name] = channel

    def fit(self, incoming: IncomingMessage, text: str) -> str:
        """``text`` shortened to what the message's channel sends in all (SMS: 1,600)."""
        return self.fit_to(incoming.channel, text)

    def fit_to(self, channel_name: str, text: str) -> str:
        """``text`` shortened to what channel ``channel_name`` sends in all (SMS: 1,600)."""
        channel = self.channels.get(channel_name)
        if channel is None or channel.max_reply_length is None:
            return text
        return shorten(text, channel.max_reply_length)

    async def send_to(
        self, channel_name: str, conversation_key: str, message: OutgoingMessage
    ) -> list[str]:
        """Send ``message`` (fitted, split) to a conversation; the channel's ids of its parts.

        Raises `ChannelOffError` when the channel is not on here,
        `RecipientOptedOutError` for an address that opted out, and the
        channel's other `ChannelError`s.
        """
        channel = self.channels.get(channel_name)
        if channel is None:
            raise ChannelOffError(f"the {channel_name} channel is not on in this process")
        text = self.fit_to(channel_name, message.text)
        parts = split_text(text, channel.max_text_length) or [text]
        sent = []
        for number, part in enumerate(parts, start=1):
            last = number == len(parts)
            piece = replace(message, text=part, card=message.card if last else None)
            sent.append(await channel.send(conversation_key, piece))
        return sent

    async def update(
        self, channel_name: str, conversation_key: str, sent_id: str, message: OutgoingMessage
    ) -> str:
        """Edit the sent message ``sent_id`` in place (or send anew where the channel cannot)."""
        channel = self.channels.get(channel_name)
        if channel is None:
            raise ChannelOffError(f"the {channel_name} channel is not on in this process")
        return await channel.update(conversation_key, sent_id, message)

    async def say(self, incoming: IncomingMessage, text: str) -> None:
        """Tell the sender something outside the normal answer (privately where the
        channel can); never raises: it is a courtesy, logged when it fails."""
        channel = self.channels.get(incoming.channel)
        if channel is None:
            return
        try:
            await channel.reply(incoming, OutgoingMessage(text, private=True))
        except RecipientOptedOutError:
            pass
        except Exception:
            log.exception("could not tell the %s sender something", incoming.channel)

    async def send_reply(
        self,
        incoming: IncomingMessage,
        message: OutgoingMessage,
        *,
        reply_id: int | None = None,
    ) -> tuple[str, ...]:
        """Send ``message`` in answer to ``incoming``; the channel's ids of its parts.

        With ``reply_id`` (the stored reply), the send happens only if this call
        moves the reply from ``pending`` to ``sending`` (a second run of the same
        job does not send it again), and its ids or outcome are recorded after.
        None are returned when the channel is not here (the HTTP API delivers
        its own replies) or the recipient opted out.
        """
        channel = self.channels.get(incoming.channel)
        if reply_id is not None:
            if channel is None:
                await self.store.set_send_state(reply_id, NOT_SENT, only_from=PENDING)
                return ()
            if not await self.store.set_send_state(reply_id, SENDING, only_from=PENDING):
                log.warning("reply %s was not pending: not sent again", reply_id)
                return ()
        if channel is None:
            return ()
        parts = split_text(message.text, channel.max_text_length) or [""]
        sent: list[str] = []
        try:
            for number, part in enumerate(parts, start=1):
                last = number == len(parts)
                piece = replace(message, text=part, card=message.card if last else None)
                sent.append(await channel.reply(incoming, piece))
        except RecipientOptedOutError:
            # The channel refused and logged it; the reply stays stored, unsent.
            pass
        except Exception:
            if reply_id is not None:
                await self._record(reply_id, sent, failed=True)
            raise
        if reply_id is not None:
            await self._record(reply_id, sent)
        return tuple(sent)

    async def resume(self, incoming: IncomingMessage, reply_id: int, text: str) -> None:
        """Send a reply a dead worker stored but never handed to the channel."""
        await self.send_reply(incoming, OutgoingMessage(text), reply_id=reply_id)

    async def _record(self, reply_id: int, sent: list[str], *, failed: bool = False) -> None:
        if sent:
            await self.conversations.mark_sent(reply_id, sent)  # send_state: sent
        else:
            await self.store.set_send_state(reply_id, "failed" if failed else NOT_SENT)
