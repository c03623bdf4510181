"""GroqProvider through the real ``groq`` SDK against the fake server's Groq path."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel

from agents.errors import (
    OutputTruncatedError,
    ProviderAuthError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from agents.providers.base import INTERRUPTED, CallOptions, ChatMessage
from agents.providers.factory import ProviderFactory
from agents.providers.fallback import FallbackProvider
from agents.providers.function import FunctionProvider
from agents.providers.groq import GroqProvider
from agents.providers.resilience import RetryPolicy, Timeouts
from agents.providers.settings import ProviderSettings, VendorSettings
from agents.providers.testing.openai_api import fake_groq
from agents.providers.testing.script import (
    CUT_AFTER_FIRST_TOKEN,
    CUT_BEFORE_FIRST_TOKEN,
    Reply,
)
from agents.providers.testing.server import FakeVendor
from tests.support.provider_doubles import Sleeps, collect

MODEL = "openai/gpt-oss-20b"
ASK = [ChatMessage("user", "Do you bring plates?")]
#: groq:openai/gpt-oss-20b, USD per token (the catalogue, from Groq's models page).
INPUT, OUTPUT = 0.075 / 1e6, 0.30 / 1e6


class Answer(BaseModel):
    plates: bool


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with fake_groq() as vendor:
        yield vendor


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def provider(fake: FakeVendor, sleeps: Sleeps) -> AsyncIterator[GroqProvider]:
    model = GroqProvider(MODEL, api_key="gsk-test", base_url=fake.base_url, sleep=sleeps)
    yield model
    await model.aclose()


async def test_complete_reports_usage_and_cost(fake: FakeVendor, provider: GroqProvider):
    fake.then(Reply(text="Yes, plates included.", input_tokens=200, output_tokens=20))

    completion = await provider.complete(ASK, CallOptions(logprobs=True))

    assert completion.text == "Yes, plates included."
    assert completion.model_id == f"groq:{MODEL}"
    assert (completion.input_tokens, completion.output_tokens) == (200, 20)
    assert completion.cost_usd == pytest.approx(200 * INPUT + 20 * OUTPUT)
    sent = fake.requests[0]
    assert sent["model"] == MODEL and "logprobs" not in sent  # Groq has no logprobs
    assert fake.script.headers[0]["authorization"] == "Bearer gsk-test"


async def test_stream_usage_comes_from_x_groq(fake: FakeVendor, provider: GroqProvider):
    fake.then(Reply(text="Plates, cups and napkins.", input_tokens=30, output_tokens=6))

    deltas, final = await collect(provider.stream(ASK))

    assert "".join(deltas) == "Plates, cups and napkins." == final.text
    assert (final.input_tokens, final.output_tokens) == (30, 6)
    assert final.cost_usd == pytest.approx(30 * INPUT + 6 * OUTPUT)
    assert "stream_options" not in fake.requests[0]  # usage arrives in x_groq regardless


async def test_structured_output_uses_json_mode(fake: FakeVendor, provider: GroqProvider):
    fake.then(Reply(text="Sure! Plates are included."), Reply(text='{"plates": true}'))

    completion = await provider.complete(ASK, CallOptions(response_schema=Answer))

    assert completion.parsed == Answer(plates=True)
    first, repair = fake.requests
    assert first["response_format"] == {"type": "json_object"}
    assert "JSON" in first["messages"][0]["content"]  # JSON mode needs the word in the prompt
    assert "not valid" in repair["messages"][-1]["content"]


async def test_truncation_is_reported(fake: FakeVendor, provider: GroqProvider):
    fake.then(Reply(text='{"pla', finish_reason="length"))

    with pytest.raises(OutputTruncatedError):
        await provider.complete(ASK, CallOptions(response_schema=Answer))


async def test_429_honours_retry_after(fake: FakeVendor, provider: GroqProvider, sleeps: Sleeps):
    fake.then(Reply(status=429, error_message="Rate limit reached for model", retry_after=3))

    completion = await provider.complete(ASK)

    assert sleeps == [3.0]
    assert [call.outcome for call in completion.calls] == ["rate_limited", "ok"]


async def test_401_fails_fast(fake: FakeVendor, provider: GroqProvider, sleeps: Sleeps):
    fake.then(Reply(status=401, error_message="Invalid API Key"))

    with pytest.raises(ProviderAuthError, match="Invalid API Key"):
        await provider.complete(ASK)
    assert len(fake.requests) == 1 and sleeps == []


async def test_500_then_fallback(fake: FakeVendor, sleeps: Sleeps):
    fake.script.default = Reply(status=502, error_message="Bad gateway")
    primary = GroqProvider(MODEL, api_key="gsk-test", base_url=fake.base_url, sleep=sleeps)
    chain = FallbackProvider([primary, FunctionProvider(lambda _m: "backup", model="b")])

    completion = await chain.complete(ASK)

    assert completion.text == "backup" and len(fake.requests) == 3
    assert completion.extras["fallback"]["skipped"][0]["reason"] == "server_error"
    await primary.aclose()


async def test_a_stall_past_the_timeout(fake: FakeVendor, sleeps: Sleeps):
    fake.then(Reply(stall=10))
    model = GroqProvider(
        MODEL,
        api_key="gsk-test",
        base_url=fake.base_url,
        timeouts=Timeouts(total=0.3),
        retry=RetryPolicy(max_attempts=1),
        sleep=sleeps,
    )
    started = time.perf_counter()

    with pytest.raises(ProviderTimeoutError):
        await model.complete(ASK)

    assert time.perf_counter() - started < 2
    await model.aclose()


async def test_stream_cuts_before_and_after_the_first_token(
    fake: FakeVendor, provider: GroqProvider
):
    # The groq SDK lets httpx's RemoteProtocolError out of a stream: still a retry.
    fake.then(
        Reply(cut=CUT_BEFORE_FIRST_TOKEN),
        Reply(text="Plates are", cut=CUT_AFTER_FIRST_TOKEN),
    )

    deltas, final = await collect(provider.stream(ASK))

    assert deltas == ["Plates"] and final.finish_reason == INTERRUPTED
    assert [call.outcome for call in final.calls] == ["connection_error", "interrupted"]
    assert len(fake.requests) == 2


async def test_factory_applies_groq_timeout_and_max_tokens(fake: FakeVendor):
    settings = ProviderSettings(
        default_provider=f"groq:{MODEL}",
        last_resort=None,
        vendors={
            "groq": VendorSettings("gsk-f", fake.base_url, timeout=4.5, max_tokens=100),
        },
        timeouts=Timeouts(total=30, connect=2),
    )
    factory = ProviderFactory(settings)
    model = factory.default()
    try:
        await model.complete(ASK, CallOptions(max_tokens=500))
        await model.complete(ASK, CallOptions(max_tokens=50))
    finally:
        await factory.aclose()

    assert isinstance(model, GroqProvider)
    assert model.timeouts == Timeouts(total=4.5, connect=2)
    assert [r["max_completion_tokens"] for r in fake.requests] == [100, 50]


async def test_no_key_means_unavailable(fake: FakeVendor):
    model = GroqProvider(MODEL, base_url=fake.base_url)

    assert await model.ready() is False
    with pytest.raises(ProviderUnavailableError, match="GROQ_API_KEY is not set"):
        await model.complete(ASK)
    assert fake.requests == []
