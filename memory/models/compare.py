"""Tables of /compare: the questions, each model's answer, and the team's votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class CompareQuery(Base):
    """One /compare: the question, who asked, the models asked, and the ranking."""

    __tablename__ = "compare_queries"
    __table_args__ = (
        # The cache: the same question (and line-up) asked within the hour.
        Index("ix_compare_queries_question_key_created_at", "question_key", "created_at"),
        # The rate limit: one person's compares in the last minute.
        Index("ix_compare_queries_asker_created_at", "asker", "created_at"),
        # The same for a caller's (an HTTP API client's address).
        Index("ix_compare_queries_caller_created_at", "caller", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    asker: Mapped[str] = mapped_column(String(300))  # kind:value, e.g. slack:U123
    # Who called, as they cannot choose it (api-peer:<address>); None outside the HTTP API.
    caller: Mapped[str | None] = mapped_column(String(100))
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
