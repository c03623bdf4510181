"""Tables of who the bot talks with, and what was said.

Contacts, their identities, conversations, messages, and the senders that
went past an inbound limit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from memory.models.base import Base, BigId, utcnow


class Contact(Base):
    """One person, however many channels they use."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when this contact was merged into another; its identities moved there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The last /enrich result (research, lead score, drafted message) and when it was made.
    enrichment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    enriched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # IANA name (Europe/Paris) when known: follow-ups keep to quiet hours in it.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Lead fields the conversation revealed (name, event_date, guests, budget, location).
    lead: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lead_score: Mapped[int | None] = mapped_column(Integer)  # 0-100
    lead_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Identity(Base):
    """A way to reach a contact: (kind, external id) → contact.

    Kinds are channel names for channel-native ids and ``phone`` (E.164) or
    ``email`` (lower-case) for addresses shared across channels.
    """

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("kind", "external_id", name="uq_identities_kind_external"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when this address said STOP (SMS): nothing may be sent to it until START.
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Conversation(Base):
    """A thread on one channel (an SMS number pair, a Telegram chat, a Slack thread)."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "key", name="uq_conversations_channel_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    agent: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when the bot handed the conversation to a person (e.g. the hybrid was unsure).
    handed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handoff_reason: Mapped[str | None] = mapped_column(Text)
    # Where the team was alerted (``channel:ts`` of the ops message): replies in that
    # thread are relayed to the customer while the conversation is handed off.
    ops_thread: Mapped[str | None] = mapped_column(String(255), index=True)


class Message(Base):
    """One message in or out. Append-only.

    The unique key on (channel, external_id) turns a re-delivered webhook into
    a no-op. An outgoing message gets ``out:<id>`` once the channel has sent
    it (the prefix keeps the ids of what we sent apart from the ids of what we
    received), so a delivery report finds it by index. Append-only means the
    text never changes; ``external_id`` and ``meta`` (delivery reports) do.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_messages_channel_external"),
        # A contact's history across channels, newest first, by index alone.
        Index("ix_messages_contact_id_id", "contact_id", "id"),
        # What one sender sent in the last minute or day: the inbound limits' count.
        Index("ix_messages_contact_id_created_at", "contact_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(255))
    direction: Mapped[str] = mapped_column(String(8))  # "in" or "out"
    text: Mapped[str] = mapped_column(Text)
    agent: Mapped[str | None] = mapped_column(String(64))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Incoming: when its answering job finished (see bot/pipeline/worker.py).
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Outgoing: pending, sending, sent, not_sent or unknown (see bot/pipeline/outbox.py).
    send_state: Mapped[str | None] = mapped_column(String(16))


class InboundLimitHit(Base):
    """A sender went past an inbound limit in one window: told once, the team alerted once.

    The unique key makes exactly one process win the right to tell the sender
    per sender, limit and window (``burst:<id>``, a burst named by its first
    message's id; ``day:<YYYY-MM-DD>`` for the daily cap).
    """

    __tablename__ = "inbound_limit_hits"
    __table_args__ = (
        UniqueConstraint("contact_id", "limit", "window", name="uq_inbound_limit_hits_window"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    limit: Mapped[str] = mapped_column(String(16))  # burst, daily
    window: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    # The first message past the limit in this window.
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
