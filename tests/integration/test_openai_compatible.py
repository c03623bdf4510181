"""OpenAICompatibleProvider (``AI_PROVIDER=ollama``) against the fake OpenAI server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel

from agents.providers.base import CallOptions, ChatMessage
from agents.providers.factory import ProviderFactory
from agents.providers.openai_compatible import (
    DEFAULT_BASE_URL,
    PLACEHOLDER_KEY,
    OpenAICompatibleProvider,
)
from agents.providers.testing.openai_api import fake_openai
from agents.providers.testing.script import Reply
from agents.providers.testing.server import FakeVendor
from bot.settings import load_settings
from bot.wiring.models import provider_settings
from tests.support.provider_doubles import collect

ASK = [ChatMessage("user", "What is your cancellation policy?")]


class Policy(BaseModel):
    days_notice: int


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with fake_openai() as vendor:
        yield vendor


@pytest.fixture
async def provider(fake: FakeVendor) -> AsyncIterator[OpenAICompatibleProvider]:
    model = OpenAICompatibleProvider("llama3.1:8b", base_url=fake.base_url)
    yield model
    await model.aclose()


async def test_ai_provider_ollama_is_free_and_keyless(fake: FakeVendor):
    settings = load_settings(
        _env_file=None, ai_provider="ollama:llama3.1:8b", ollama_base_url=fake.base_url
    )
    factory = ProviderFactory(provider_settings(settings))
    try:
        model = factory.create("ollama:llama3.1:8b")
        completion = await model.complete(ASK, CallOptions(max_tokens=64))
    finally:
        await factory.aclose()

    assert isinstance(model, OpenAICompatibleProvider) and await model.ready()
    assert completion.model_id == "ollama:llama3.1:8b"
    assert completion.input_tokens == 12 and completion.cost_usd == 0.0
    sent = fake.requests[0]
    assert sent["model"] == "llama3.1:8b"
    assert sent["max_tokens"] == 64 and "max_completion_tokens" not in sent
    assert fake.script.headers[0]["authorization"] == f"Bearer {PLACEHOLDER_KEY}"


def test_the_default_base_url_is_ollamas():
    assert OpenAICompatibleProvider("llama3.1:8b").base_url == DEFAULT_BASE_URL


async def test_an_api_key_is_sent_when_set(fake: FakeVendor):
    model = OpenAICompatibleProvider("qwen", base_url=fake.base_url, api_key="vllm-secret")
    await model.complete(ASK)
    await model.aclose()
    assert fake.script.headers[0]["authorization"] == "Bearer vllm-secret"


async def test_a_stream_without_usage_counts_nothing_and_costs_nothing(
    fake: FakeVendor, provider: OpenAICompatibleProvider
):
    fake.then(Reply(text="Two days notice.", extra={"stream_usage": False}))

    deltas, final = await collect(provider.stream(ASK))

    assert "".join(deltas) == "Two days notice." == final.text
    assert (final.input_tokens, final.output_tokens) == (0, 0)
    assert final.cost_usd == 0.0 and final.finish_reason == "stop"


async def test_a_server_rejecting_stream_options_is_asked_again_without(
    fake: FakeVendor, provider: OpenAICompatibleProvider
):
    fake.then(
        Reply(status=400, error_message="Unrecognized request argument supplied: stream_options")
    )

    _, final = await collect(provider.stream(ASK))
    _, again = await collect(provider.stream(ASK))

    assert final.text == again.text == "Hello from the fake model."
    first, retried, later = fake.requests
    assert first["stream_options"] == {"include_usage": True}
    assert "stream_options" not in retried and "stream_options" not in later
    assert [call.outcome for call in final.call_log] == ["ok"]  # one attempt, not a failure


async def test_structured_output_sends_json_mode_with_the_schema(
    fake: FakeVendor, provider: OpenAICompatibleProvider
):
    fake.then(Reply(text='```json\n{"days_notice": 2}\n```'))

    completion = await provider.complete(ASK, CallOptions(response_schema=Policy))

    assert completion.parsed == Policy(days_notice=2)
    response_format = fake.requests[0]["response_format"]
    assert response_format["type"] == "json_object"
    assert response_format["schema"]["properties"]["days_notice"]["type"] == "integer"
