"""SQLAlchemy models: contacts, their identities, conversations, messages, model calls.

The same models run on SQLite (aiosqlite) and PostgreSQL (asyncpg). Schema
changes go through Alembic migrations in `memory/migrations`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


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


class CompareQuery(Base):
    """One /compare: the question, who asked, the models asked, and the ranking."""

    __tablename__ = "compare_queries"
    __table_args__ = (
        # The cache: the same question (and line-up) asked within the hour.
        Index("ix_compare_queries_question_key_created_at", "question_key", "created_at"),
        # The rate limit: one person's compares in the last minute.
        Index("ix_compare_queries_asker_created_at", "asker", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    asker: Mapped[str] = mapped_column(String(300))  # kind:value, e.g. slack:U123
    asker_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    channel: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    # A digest of the normalised question, the line-up and the judge.
    question_key: Mapped[str] = mapped_column(String(64))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Why a model was left out (no key), or that only local models were available.
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, done
    judge_model: Mapped[str | None] = mapped_column(String(160))
    # The judge's verdicts per pair and order, and its overall outcome.
    judge: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    wall_ms: Mapped[float | None] = mapped_column(Float)
    # Set when this request was served from an earlier query's stored result.
    cached_from_id: Mapped[int | None] = mapped_column(ForeignKey("compare_queries.id"))


class CompareAnswer(Base):
    """One model's answer to a /compare (or why there is none: timeout, failure)."""

    __tablename__ = "compare_answers"
    __table_args__ = (
        UniqueConstraint("query_id", "position", name="uq_compare_answers_query_position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("compare_queries.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, 3: the order of COMPARE_MODELS
    model_id: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(16))  # ok, timeout, failed
    text: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)  # the heuristic score, 0..1
    score_details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rank: Mapped[int | None] = mapped_column(Integer)  # 1 is best


class CompareFeedback(Base):
    """A vote on a /compare: the best answer, or thumbs up/down on one answer.

    One vote per voter and slot: ``best`` for the best answer, ``answer:<id>``
    for thumbs on one answer. Voting again replaces the earlier vote.
    """

    __tablename__ = "compare_feedback"
    __table_args__ = (
        UniqueConstraint("query_id", "voter", "slot", name="uq_compare_feedback_vote"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("compare_queries.id"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("compare_answers.id"))
    voter: Mapped[str] = mapped_column(String(300))
    slot: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))  # best, up, down
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KnowledgeDocument(Base):
    """One document of the business (pricing, policies, FAQ) as ingested by ``bot kb add``."""

    __tablename__ = "knowledge_documents"
    __table_args__ = (UniqueConstraint("source", name="uq_knowledge_documents_source"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Where it came from (a path relative to the business folder, or a name): re-adding
    # the same source replaces its chunks.
    source: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(300))
    # A digest of the text: re-adding an unchanged document does nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KnowledgeChunk(Base):
    """A passage of a document: what retrieval finds and an answer cites."""

    __tablename__ = "knowledge_chunks"
    __table_args__ = (
        UniqueConstraint("document_id", "position", name="uq_knowledge_chunks_document_position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("knowledge_documents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0, 1, 2 ... in the document
    heading: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)


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
    # pending, sent, skipped (opted out, capped), cancelled (the lead wrote back)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)  # why it was planned or skipped
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))  # what was sent
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
