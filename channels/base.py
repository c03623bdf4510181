"""Neutral message types shared by every channel and the orchestrator.

A channel adapter does three things: verify a request, translate it into an
`IncomingMessage`, and render an `OutgoingMessage` in the channel's own format.
Nothing here knows about agents, models or the database.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol


class Address(NamedTuple):
    """One way to reach a person: a kind and a channel-native value.

    Kinds are channel names for channel-native ids (``telegram``, ``slack``,
    ``console``, ``api``) and ``phone`` / ``email`` for addresses that several
    channels share. Two messages whose addresses meet belong to one contact.
    A NamedTuple, so it *is* the ``(kind, value)`` pair the memory layer keeps
    identities as (`memory.contacts.Address` names that shape; memory, the
    bottom layer, cannot import this class): it is passed to memory as it is,
    never taken apart by hand.
    """

    kind: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Address:
        """Read ``kind:value`` (``phone:+15551234567``, ``email:jane@acme.com``)."""
        kind, sep, value = text.partition(":")
        if not sep or not kind.strip() or not value.strip():
            raise ValueError(f"expected kind:value (e.g. phone:+15551234567), got {text!r}")
        return cls(kind.strip().lower(), value.strip())

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A message as it arrived, in channel-neutral form.

    ``external_id`` is the channel's own id for this delivery (Slack ``event_id``,
    Telegram ``update_id``, Twilio ``MessageSid``); the store's unique key on
    (channel, external_id) makes a re-delivery a no-op.
    """

    channel: str
    sender: Address
    conversation_key: str
    text: str
    external_id: str | None = None
    sender_name: str | None = None
    # Other addresses the channel knows for the sender (a Telegram user's shared
    # phone, a Slack profile e-mail): they join the sender to an existing contact.
    aliases: tuple[Address, ...] = ()
    command: str | None = None
    arguments: str = ""
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CardField:
    """A label and its value, shown side by side where the channel can."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class CardAction:
    """A button: ``action_id`` says what it does, ``value`` what it acts on."""

    action_id: str
    label: str
    value: str = ""


#: Command names a channel gives carrier keywords (SMS STOP, START, HELP) and
#: other channel-native requests, so the bot handles them like any command.
OPT_OUT_COMMAND = "opt-out"
OPT_IN_COMMAND = "opt-in"
HELP_COMMAND = "help"

#: A `CardAction` asking the person to share their phone number (a Telegram
#: contact button); channels that cannot ask for it leave the button out.
SHARE_PHONE_ACTION = "share_phone"


@dataclass(frozen=True, slots=True)
class Card:
    """Structured content a channel renders natively (Slack blocks) or as text (SMS)."""

    title: str
    fields: tuple[CardField, ...] = ()
    sections: tuple[str, ...] = ()
    actions: tuple[CardAction, ...] = ()

    def as_text(self) -> str:
        """A plain-text rendering for channels without rich layout."""
        lines = [self.title]
        lines += [f"{f.label}: {f.value}" for f in self.fields]
        lines += list(self.sections)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What the bot says: text, and optionally a card.

    ``private`` asks for a reply only the asker sees where the channel has one
    (a Slack ephemeral message); elsewhere it changes nothing.
    """

    text: str
    card: Card | None = None
    private: bool = False


@dataclass(frozen=True, slots=True)
class Person:
    """A channel user as the channel describes them: a name and an e-mail, if known."""

    name: str | None = None
    email: str | None = None


class Channel(abc.ABC):
    """A place the bot can speak. Adapters subclass this."""

    #: The channel's name, as it appears in ``IncomingMessage.channel``.
    name: str
    #: The longest text one message may carry; longer replies are split.
    max_text_length: int = 4000
    #: False where a sent message cannot be changed (a terminal): a live reply
    #: (`bot.commands.live`) then shows its final version only, once.
    edits_in_place: bool = True
    #: The longest reply in all (SMS: 1,600); longer replies are shortened, not split.
    max_reply_length: int | None = None
    #: True where a reply is shown as it is written (the web chat): the pipeline then hands
    #: each checked sentence to `stream_sentence` before `send` gets the whole reply.
    streams_sentences: bool = False

    @abc.abstractmethod
    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        """Send ``message`` to the conversation; return the channel's id for it."""

    async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage) -> str:
        """Replace a sent message where the channel can edit; otherwise send anew."""
        return await self.send(conversation_key, message)

    async def stream_sentence(self, conversation_key: str, sentence: str) -> None:  # noqa: B027
        """Show one checked sentence of a reply still being written (`streams_sentences`).

        A no-op by default: most channels send the whole reply once it is checked.
        """

    async def person(self, user_id: str) -> Person | None:
        """What the channel can tell about one of its users (Slack's profile); None: nothing."""
        return None

    async def reply(self, incoming: IncomingMessage, message: OutgoingMessage) -> str:
        """Answer ``incoming``: by default a new message in its conversation.

        Channels with a better way to answer override it (Slack answers a slash
        command through its ``response_url``).
        """
        return await self.send(incoming.conversation_key, message)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the bot said when a channel handed it a message (`Inbox.deliver`).

    ``accepted`` means stored: the answer follows in the background, so the
    channel may acknowledge its vendor now. ``duplicate`` means this delivery
    was stored before (a retry): acknowledge, do nothing. ``ack_text`` is a
    short answer for channels that can show one in the acknowledgement itself
    (a Slack slash command's ephemeral reply): "working on it", help, or why a
    message was refused.
    """

    accepted: bool
    duplicate: bool = False
    ack_text: str | None = None


@dataclass(frozen=True, slots=True)
class Reaction:
    """A person's thumbs up or down on a message the bot sent (a Slack reaction).

    ``sent_id`` is the channel's id for the message, as `Channel.send` returned
    it; ``container`` is where a ``sent_id`` is unique (a Slack channel id), if
    the channel has such a thing. ``removed`` means the person took it back.
    """

    channel: str
    sent_id: str
    rater: Address
    #: +1 (thumbs up) or -1 (thumbs down).
    rating: int
    removed: bool = False
    container: str | None = None


class Inbox(Protocol):
    """Where channel adapters hand what they receive; the bot implements it.

    Adapters call it after verifying and translating a request, and answer
    their vendor once it returns: everything it accepts is already stored.
    """

    async def deliver(self, incoming: IncomingMessage) -> Receipt:
        """Store ``incoming`` (or spot a re-delivery) and schedule its answer."""
        ...

    async def link(self, sender: Address, alias: Address) -> None:
        """Record that ``alias`` (a shared phone, a profile e-mail) is also ``sender``."""
        ...

    async def may_send(self, recipient: Address) -> bool:
        """False when ``recipient`` opted out (SMS STOP): the send must not happen."""
        ...

    async def record_delivery(
        self, channel: str, sent_id: str, *, status: str, error: str | None = None
    ) -> bool:
        """Note a delivery report (Twilio's status callback) on the sent message.

        False when no stored message has that ``sent_id``.
        """
        ...

    async def record_sent(
        self,
        channel: str,
        sent_id: str,
        *,
        segments: int,
        price: str | None = None,
        price_unit: str | None = None,
    ) -> None:
        """Count a message a paid channel just sent (SMS: its segments, the price if known).

        Never raises: the message is already sent.
        """
        ...

    async def record_price(
        self, channel: str, sent_id: str, *, price: str, price_unit: str
    ) -> bool:
        """The vendor's price for a sent message (Twilio's ``Price``, ``PriceUnit``).

        False when it could not be used (unknown message, another currency).
        """
        ...

    async def record_reaction(self, reaction: Reaction) -> bool:
        """Rate (or, when removed, un-rate) the bot's reply the reaction is on.

        False when the message is not one of the bot's stored replies.
        """
        ...
