"""Opening the knowledge base at start: the business folder synced, a retriever ready."""

from __future__ import annotations

import logging
from pathlib import Path

from agents.knowledge.embeddings import VendorEmbeddings
from agents.knowledge.ingest import sync_folder
from agents.knowledge.retriever import Retriever
from agents.knowledge.synonyms import business_synonyms
from agents.knowledge.terms import use_synonyms
from memory.db import Database
from memory.knowledge import KnowledgeStore

log = logging.getLogger(__name__)


async def open_knowledge_base(
    db: Database,
    folder: Path,
    *,
    top_k: int = 4,
    min_score: float = 2.4,
    embeddings: VendorEmbeddings | None = None,
    vector_weight: float = 1.0,
) -> Retriever:
    """Sync ``folder``'s documents into the store (a hash check when unchanged), then a
    `Retriever` over every stored document (the folder's and those ``bot kb add`` added).

    Retrieval's synonyms become ``folder``'s ``synonyms.yml`` (else the built-in list)."""
    use_synonyms(business_synonyms(folder))
    store = KnowledgeStore(db)
    report = await sync_folder(store, folder)
    if report.changed or report.removed:
        log.info(
            "knowledge base: %d document(s) ingested (%s), %d removed",
            len(report.changed),
            ", ".join(report.changed) or "none",
            len(report.removed),
        )
    return Retriever(
        store,
        top_k=top_k,
        min_score=min_score,
        embeddings=embeddings,
        vector_weight=vector_weight,
    )
