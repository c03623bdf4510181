"""Retrieval fused with a vendor's embeddings, through OpenAI's SDK and our fake API.

What real vectors are worth cannot be measured here (no key, no network): these
tests hold the wiring, the cache and the fallback to words.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from openai import AsyncOpenAI

from agents.knowledge.embeddings import VendorEmbeddings, fused
from agents.knowledge.ingest import sync_folder
from agents.knowledge.retriever import Retriever
from agents.providers.testing.openai_api import fake_openai
from agents.providers.testing.script import Reply
from bot.settings import SAMPLE_BUSINESS_DIR
from bot.wiring.knowledge import knowledge_embeddings
from memory.db import Database
from memory.knowledge import KnowledgeStore

MODEL = "text-embedding-3-small"


@pytest.fixture
async def store(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "business"
    shutil.copytree(SAMPLE_BUSINESS_DIR, folder)
    knowledge = KnowledgeStore(database)
    await sync_folder(knowledge, folder)
    return knowledge


def retriever(store: KnowledgeStore, base_url: str) -> Retriever:
    client = AsyncOpenAI(api_key="test-key", base_url=base_url, max_retries=0)
    return Retriever(store, top_k=3, embeddings=VendorEmbeddings(client, MODEL))


async def test_chunks_are_embedded_once_and_each_question_once(store: KnowledgeStore):
    async with fake_openai() as fake:
        first = retriever(store, fake.base_url)
        deposit = await first.search("What is the deposit to reserve a date?", 3)
        await first.search("Can you cook indoors?", 3)
        # Another process (a restart) reads the chunks' vectors from the disk cache.
        await retriever(store, fake.base_url).search("Do you bring plates?", 3)

        sizes = [len(body["input"]) for body in fake.requests]
        chunks = len(await store.chunks())

    assert deposit[0].text.startswith("Deposit: $200")
    assert deposit[0].score >= 2.4  # still BM25's score: KB_MIN_SCORE means what it did
    assert sizes == [chunks, 1, 1, 1]
    assert {body["model"] for body in fake.requests} == {MODEL}


async def test_a_vendor_error_leaves_the_search_to_words(
    store: KnowledgeStore, caplog: pytest.LogCaptureFixture
):
    async with fake_openai(Reply(status=500)) as fake:
        searching = retriever(store, fake.base_url)
        hits = await searching.search("What is the deposit?", 3)
        again = await searching.search("What is the deposit?", 3)
        asked = len(fake.requests)

    assert hits[0].text.startswith("Deposit: $200") and again == hits
    assert asked == 1  # not asked again during the cool-down
    assert "embeddings failed, searching by words" in caplog.text
    assert caplog.records[-1].levelno == logging.WARNING


def test_fusion_adds_the_weighted_z_score_of_the_similarities():
    lexical = np.array([3.0, 0.0, 1.0], dtype=np.float32)
    similarity = np.array([0.2, 0.8, 0.2], dtype=np.float32)  # mean 0.4, spread 0.283

    scores = fused(lexical, similarity, 1.0)

    assert scores.argmax() == 0 and scores[1] > scores[2]
    assert np.allclose(fused(lexical, similarity, 0.0), lexical)
    assert np.array_equal(fused(lexical, np.full(3, 0.5), 1.0), lexical)  # no spread


def test_embeddings_are_configured_by_model_and_the_openai_key(settings, caplog):
    assert knowledge_embeddings(settings) is None
    keyless = settings.model_copy(update={"kb_embeddings_model": MODEL, "openai_api_key": None})
    assert knowledge_embeddings(keyless) is None
    assert "KB_EMBEDDINGS_MODEL is set without OPENAI_API_KEY" in caplog.text
    keyed = keyless.model_copy(update={"openai_api_key": "sk-test"})
    embeddings = knowledge_embeddings(keyed)
    assert embeddings is not None and embeddings.model == MODEL
