"""The sentence-vector view of routing on the real embedded model (llama.cpp, SmolLM2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agents.routing import ExampleRouter, RoutingExamples
from agents.routing.base import HUMAN_ROUTE
from agents.routing.embeddings import SentenceEncoder, shared_encoder
from bot.settings import SAMPLE_BUSINESS_DIR

pytestmark = pytest.mark.embedded_model


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    loaded = shared_encoder()
    assert loaded is not None, "the embedded model did not load for embeddings"
    return loaded


def test_vectors_are_unit_length_and_nearer_for_like_meanings(encoder: SentenceEncoder):
    a, b, c = encoder.encode(
        ["how much does a party cost", "what is the price of an event", "the van broke down"]
    )
    assert np.allclose([np.linalg.norm(v) for v in (a, b, c)], 1.0, atol=1e-4)
    assert a @ b > a @ c


def test_the_same_encoder_serves_the_whole_process(encoder: SentenceEncoder):
    assert shared_encoder() is encoder


def test_examples_vectors_are_cached_on_disk(
    encoder: SentenceEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    texts = ["can I speak to a person", "what's on the menu"]
    first = encoder.encode_cached(texts, "test-key")
    encoded: list[list[str]] = []
    monkeypatch.setattr(encoder, "encode", lambda t: encoded.append(list(t)))

    again = encoder.encode_cached(texts, "test-key")

    assert encoded == []  # read, not re-embedded
    assert np.array_equal(first, again)
    assert [p.name for p in (tmp_path / "frontdesk-bot" / "routing").iterdir()] == [
        f"{encoder.model_key}-test-key.npy"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to somebody who works there",
        "The chef burned my hand and I had to go to urgent care",  # under 0.45 on words alone
    ],
)
async def test_the_mix_routes_with_vectors(text: str):
    examples = RoutingExamples.from_folder(SAMPLE_BUSINESS_DIR)
    router = ExampleRouter(examples, vectors_below=2.0)  # the vectors for every message
    await router.prepare()

    route = await router.route(text, channel="sms")

    assert router.uses_vectors and route.reason.startswith("mix: ")
    assert route.agent == HUMAN_ROUTE and route.confidence >= 0.45


@pytest.mark.parametrize(
    "text", ["Tell me about you", "Tell me about your dinner prices", "I have a question"]
)
async def test_vague_words_about_me_do_not_reach_a_person(text: str):
    """Many requests for a person say "me" and "about": the vectors learned that too."""
    router = ExampleRouter(RoutingExamples.from_folder(SAMPLE_BUSINESS_DIR), vectors_below=2.0)
    await router.prepare()

    route = await router.route(text, channel="sms")

    assert router.uses_vectors and route.agent != HUMAN_ROUTE


async def test_the_shipped_vectors_are_read_not_embedded(
    encoder: SentenceEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # an empty cache: a fresh machine
    encoded: list[int] = []
    monkeypatch.setattr(encoder, "encode", lambda texts: encoded.append(len(texts)))
    router = ExampleRouter(RoutingExamples.from_folder(SAMPLE_BUSINESS_DIR))

    await router.prepare()

    assert router.uses_vectors and encoded == []
    assert not (tmp_path / "frontdesk-bot").exists()
