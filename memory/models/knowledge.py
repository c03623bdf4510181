"""Tables of the business's documents and their passages (what answers cite)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from memory.models.base import Base, BigId, utcnow


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
