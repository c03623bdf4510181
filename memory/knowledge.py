"""`KnowledgeStore`: the business's documents and their chunks, as ingested.

Chunking and retrieval live in `agents.knowledge`; this store only keeps
what they produce. A document is keyed by its source (a file name or path):
putting the same source again replaces its chunks, unless its content hash is
unchanged, which makes re-ingesting the same files at every start nearly free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select

from memory.db import Database, rows_changed
from memory.models import KnowledgeChunk, KnowledgeDocument, utcnow


@dataclass(frozen=True, slots=True)
class PutResult:
    """What `KnowledgeStore.put` did to one document."""

    document_id: int
    source: str
    #: False when the stored document already had this content hash (nothing written).
    changed: bool
    chunks: int


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """One stored document, for ``bot kb list``."""

    id: int
    source: str
    title: str
    chunks: int
    content_hash: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """One chunk with the document it belongs to: what retrieval indexes."""

    id: int
    source: str
    title: str
    heading: str
    text: str


class KnowledgeStore:
    """Documents and chunks in ``knowledge_documents`` / ``knowledge_chunks``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def hashes(self) -> dict[str, str]:
        """Every stored source with its content hash (one cheap read)."""
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(KnowledgeDocument.source, KnowledgeDocument.content_hash)
            )
            return {source: digest for source, digest in rows}

    async def put(
        self,
        *,
        source: str,
        title: str,
        content_hash: str,
        chunks: Sequence[tuple[str, str]],
    ) -> PutResult:
        """Store ``chunks`` ((heading, text) in order) as the document ``source``.

        An unchanged ``content_hash`` leaves the stored chunks (and their ids,
        which stored replies cite) as they are. Safe against a second process
        putting the same source at the same time: the row is locked first.
        """
        now = utcnow()
        async with self.db.transaction() as session:
            await session.execute(
                self.db.insert_ignoring_conflicts(KnowledgeDocument).values(
                    source=source, title=title, content_hash="", created_at=now, updated_at=now
                )
            )
            document = await session.scalar(
                select(KnowledgeDocument)
                .where(KnowledgeDocument.source == source)
                .with_for_update()
            )
            assert document is not None  # inserted above or already there
            if document.content_hash == content_hash:
                count = await session.scalar(
                    select(func.count()).where(KnowledgeChunk.document_id == document.id)
                )
                return PutResult(document.id, source, False, int(count or 0))
            await session.execute(
                delete(KnowledgeChunk).where(KnowledgeChunk.document_id == document.id)
            )
            if chunks:
                await session.execute(
                    insert(KnowledgeChunk),
                    [
                        {"document_id": document.id, "position": i, "heading": h, "text": t}
                        for i, (h, t) in enumerate(chunks)
                    ],
                )
            document.title = title
            document.content_hash = content_hash
            document.updated_at = now
            return PutResult(document.id, source, True, len(chunks))

    async def remove(self, source: str) -> int | None:
        """Delete the document ``source`` and its chunks; its chunk count, or None if unknown."""
        async with self.db.transaction() as session:
            document_id = await session.scalar(
                select(KnowledgeDocument.id).where(KnowledgeDocument.source == source)
            )
            if document_id is None:
                return None
            removed = await session.execute(
                delete(KnowledgeChunk).where(KnowledgeChunk.document_id == document_id)
            )
            await session.execute(
                delete(KnowledgeDocument).where(KnowledgeDocument.id == document_id)
            )
            return rows_changed(removed)

    async def documents(self) -> list[DocumentSummary]:
        """Every stored document with its chunk count, by source."""
        counts = (
            select(KnowledgeChunk.document_id, func.count().label("chunks"))
            .group_by(KnowledgeChunk.document_id)
            .subquery()
        )
        query = (
            select(KnowledgeDocument, func.coalesce(counts.c.chunks, 0))
            .outerjoin(counts, counts.c.document_id == KnowledgeDocument.id)
            .order_by(KnowledgeDocument.source)
        )
        async with self.db.sessions() as session:
            rows = await session.execute(query)
            return [
                DocumentSummary(d.id, d.source, d.title, int(n), d.content_hash, d.updated_at)
                for d, n in rows
            ]

    async def chunks(self) -> list[StoredChunk]:
        """Every chunk with its document's source and title, in document order."""
        query = (
            select(
                KnowledgeChunk.id,
                KnowledgeDocument.source,
                KnowledgeDocument.title,
                KnowledgeChunk.heading,
                KnowledgeChunk.text,
            )
            .join(KnowledgeDocument, KnowledgeDocument.id == KnowledgeChunk.document_id)
            .order_by(KnowledgeDocument.source, KnowledgeChunk.position)
        )
        async with self.db.sessions() as session:
            return [StoredChunk(*row) for row in await session.execute(query)]

    async def version(self) -> tuple[int, int, str]:
        """A value that changes whenever a document is put or removed.

        Chunk count and highest chunk id catch most changes; the newest
        document time catches a removal followed by an addition that SQLite
        gave the same ids again.
        """
        async with self.db.sessions() as session:
            count, highest = (
                await session.execute(select(func.count(), func.max(KnowledgeChunk.id)))
            ).one()
            newest = await session.scalar(select(func.max(KnowledgeDocument.updated_at)))
            return int(count or 0), int(highest or 0), str(newest)
