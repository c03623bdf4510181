"""Tables of what the bot spends and logs.

Model calls and paid sends (the spend), the hybrid's tutor pairs, and the
alerts that fired (budget, customer count).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from memory.models.base import Base, BigId, utcnow


class ModelCall(Base):
    """One call to a model: who asked, which model answered, and what it cost."""

    __tablename__ = "model_calls"
    __table_args__ = (
        # Periods by created_at; the month's spend from the index alone (memory/spend.py).
        Index("ix_model_calls_created_at_cost_usd", "created_at", "cost_usd"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    agent: Mapped[str | None] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)  # cached ones included
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_input_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Of output_tokens, those spent reasoning (billed as output). Null: logged before
    # reasoning was counted (migration 0009), so unknown rather than none.
    reasoning_tokens: Mapped[int | None] = mapped_column(Integer)
    # What the call was for: answer, repair, student, teacher, self_rating, judge, ...
    role: Mapped[str | None] = mapped_column(String(32))
    cost_usd: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(32))  # ok, error, truncated, ...
    error: Mapped[str | None] = mapped_column(Text)
    routing_reason: Mapped[str | None] = mapped_column(Text)


class SendCost(Base):
    """What one message we sent through a paid channel cost (an SMS: its segments).

    Beside `ModelCall` in the spend: `bot costs` and the monthly budget add
    both. ``cost_usd`` starts as an estimate (segments times
    ``SMS_PRICE_PER_SEGMENT_USD``) and becomes the vendor's price when a
    delivery report carries one (``estimated`` turns false).
    """

    __tablename__ = "send_costs"
    __table_args__ = (
        UniqueConstraint("channel", "sent_id", name="uq_send_costs_channel_sent_id"),
        # The month's total from the index alone, as for model calls.
        Index("ix_send_costs_created_at_cost_usd", "created_at", "cost_usd"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    channel: Mapped[str] = mapped_column(String(32))
    sent_id: Mapped[str] = mapped_column(String(255))  # the channel's id: a Twilio SID
    segments: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float)
    estimated: Mapped[bool] = mapped_column(Boolean, default=True)


class TutorPair(Base):
    """One decision of the hybrid teacher-student provider (the tutor-pair log).

    The prompt, the student's answer and confidence, and, when the teacher was
    asked, the teacher's answer: training data for the student
    (``bot export pairs``).
    """

    __tablename__ = "tutor_pairs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    decision: Mapped[str] = mapped_column(String(16))  # student, teacher, handoff
    prompt: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    student_model: Mapped[str] = mapped_column(String(160))
    student_text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    confidence_method: Mapped[str] = mapped_column(String(32))  # logprobs, self_rating
    teacher_model: Mapped[str | None] = mapped_column(String(160))
    teacher_text: Mapped[str | None] = mapped_column(Text)


class Alert(Base):
    """An alert that fired (budget at 80%, 1,000 contacts, ...): its key fires once."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("key", name="uq_alerts_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(128))  # e.g. budget:2026-11:80
    kind: Mapped[str] = mapped_column(String(32))  # budget, customers
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
