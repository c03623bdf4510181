"""The web chat's tables: what the stream shows, the rate limits' admissions, phone codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from memory.models.base import Base, BigId, utcnow


class WebEvent(Base):
    """One thing a web chat visitor's stream shows: a sentence of a reply, or their own line.

    The outbox's send writes these (in whichever process answered); the stream
    endpoint reads the rows after the client's ``Last-Event-ID``, so a
    reconnecting widget misses nothing. Pruned after a day: the messages table
    keeps the conversation itself.
    """

    __tablename__ = "web_events"
    __table_args__ = (Index("ix_web_events_conversation_id", "conversation_key", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String(255))
    #: ``sentence`` (the bot's), ``visitor`` (the visitor's own message, for other tabs).
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class WebAdmission(Base):
    """One request counted against a rate-limit key (a visitor token, a hashed IP address).

    Counted up to itself, as the inbound limits count messages: its verdict
    does not depend on which process checks it, or when.
    """

    __tablename__ = "web_admissions"
    __table_args__ = (Index("ix_web_admissions_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(96))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    admitted: Mapped[bool] = mapped_column(Boolean, default=True)


class WebVerification(Base):
    """A code sent to prove a phone number: only its HMAC is stored, with its expiry and tries."""

    __tablename__ = "web_verifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: The visitor (``web`` identity) who asked; one pending code per visitor.
    visitor: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(255))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
