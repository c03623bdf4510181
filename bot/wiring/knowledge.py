"""The knowledge base from the bot's settings: documents synced, embeddings if configured."""

from __future__ import annotations

import logging

from openai import AsyncOpenAI

from agents.knowledge.embeddings import VendorEmbeddings
from agents.knowledge.retriever import Retriever
from agents.knowledge.service import open_knowledge_base
from bot.settings import Settings
from memory.db import Database

log = logging.getLogger(__name__)


def knowledge_embeddings(settings: Settings) -> VendorEmbeddings | None:
    """``KB_EMBEDDINGS_MODEL`` through OpenAI's SDK and the OpenAI settings, or None."""
    model = settings.kb_embeddings_model.strip()
    if not model:
        return None
    if not settings.openai_api_key:
        log.warning("KB_EMBEDDINGS_MODEL is set without OPENAI_API_KEY: retrieval by words")
        return None
    client = AsyncOpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        # A question waits for its vector: a slow vendor must not hold the answer long.
        timeout=min(settings.ai_timeout, 10.0),
        max_retries=1,
    )
    return VendorEmbeddings(client, model)


async def knowledge_base(db: Database, settings: Settings) -> Retriever:
    """The business's documents synced into ``db``, and a retriever over them."""
    return await open_knowledge_base(
        db,
        settings.business_dir,
        top_k=settings.kb_top_k,
        min_score=settings.kb_min_score,
        embeddings=knowledge_embeddings(settings),
        vector_weight=settings.kb_vector_weight,
    )
