"""Tables of what became of a customer.

Ratings of the bot's replies, bookings, and follow-ups to leads that went quiet.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
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


class ReplyFeedback(Base):
    """A rating of one bot reply: thumbs from the person, or a booking's outcome.

    One rating per rater and kind per reply; rating again replaces it. Well
    rated conversations feed ``bot export finetune``.
    """

    __tablename__ = "reply_feedback"
    __table_args__ = (
        UniqueConstraint("message_id", "rater", "kind", name="uq_reply_feedback_rating"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    rater: Mapped[str] = mapped_column(String(300))  # kind:value of who rated
    kind: Mapped[str] = mapped_column(String(32))  # thumb, booking_outcome
    rating: Mapped[int] = mapped_column(Integer)  # +1 good, -1 bad
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Booking(Base):
    """An event a customer booked: what customer care looks up and changes."""

    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("reference", name="uq_bookings_reference"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32))  # what the customer quotes (HH-1042)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    event_date: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[str | None] = mapped_column(String(5))  # HH:MM, local
    guests: Mapped[int] = mapped_column(Integer)
    package: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="confirmed")  # confirmed, cancelled
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowUp(Base):
    """A planned message to a lead that went quiet, and what became of it."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # pending, writing, sending, sent, unknown (its round died mid-send), skipped
    # (opted out, capped), cancelled (the lead wrote back); see memory/followup_claims.py
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # The token of the round that claimed it (writing, sending): a stale round cannot send.
    claim: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was planned or skipped
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))  # what was sent
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
