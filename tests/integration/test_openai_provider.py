"""OpenAIProvider through the real ``openai`` SDK against the fake OpenAI server."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pydantic import BaseModel

from agents.errors import (
    ModelNotFoundError,
    OutputTruncatedError,
    ProviderAuthError,
    ProviderConnectionError,
    ProviderCoolingDownError,
    ProviderRequestError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RefusalError,
)
from agents.providers.base import INTERRUPTED, REFUSAL, CallOptions, ChatMessage
from agents.providers.factory import ProviderFactory
from agents.providers.fallback import FallbackProvider
from agents.providers.function import FunctionProvider
from agents.providers.openai import OpenAIProvider
from agents.providers.resilience import RetryPolicy, Timeouts
from agents.providers.testing.openai_api import fake_openai
from agents.providers.testing.script import (
    CUT_AFTER_FIRST_TOKEN,
    CUT_BEFORE_FIRST_TOKEN,
    Reply,
)
from agents.providers.testing.server import FakeVendor
from bot.settings import load_settings
from bot.wiring.models import provider_settings
from tests.support.provider_doubles import Sleeps, collect

ASK = [ChatMessage("system", "You are a caterer."), ChatMessage("user", "Party of 15?")]


class Booking(BaseModel):
    name: str
    party_size: int


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with fake_openai() as vendor:
        yield vendor


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def openai_provider(fake: FakeVendor, sleeps: Sleeps, **kwargs: object) -> OpenAIProvider:
    kwargs.setdefault("api_key", "sk-test")
    return OpenAIProvider("gpt-4o-mini", base_url=fake.base_url, sleep=sleeps, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def provider(fake: FakeVendor, sleeps: Sleeps) -> AsyncIterator[OpenAIProvider]:
    model = openai_provider(fake, sleeps)
    yield model
    await model.aclose()


def backup() -> FunctionProvider:
    return FunctionProvider(lambda _m: "From the backup.", model="backup")


async def test_complete_reports_text_usage_and_cost(fake: FakeVendor, provider: OpenAIProvider):
    fake.then(Reply(text="We cater up to 200.", input_tokens=1000, output_tokens=100))

    completion = await provider.complete(ASK, CallOptions(max_tokens=50, temperature=0.1))

    assert completion.text == "We cater up to 200."
    assert completion.model_id == "openai:gpt-4o-mini"
    assert (completion.input_tokens, completion.output_tokens) == (1000, 100)
    assert completion.cost_usd == pytest.approx((1000 * 0.15 + 100 * 0.60) / 1e6)
    assert completion.finish_reason == "stop" and completion.outcome == "ok"
    sent = fake.requests[0]
    assert sent["model"] == "gpt-4o-mini"
    assert sent["messages"][0] == {"role": "system", "content": "You are a caterer."}
    assert sent["max_completion_tokens"] == 50 and sent["temperature"] == 0.1
    assert fake.script.headers[0]["authorization"] == "Bearer sk-test"


async def test_cached_input_tokens_are_priced_at_the_cached_rate(
    fake: FakeVendor, provider: OpenAIProvider
):
    fake.then(Reply(input_tokens=1000, cached_input_tokens=600, output_tokens=100))

    completion = await provider.complete(ASK)

    assert completion.cached_input_tokens == 600
    assert completion.cost_usd == pytest.approx((400 * 0.15 + 600 * 0.075 + 100 * 0.60) / 1e6)


async def test_logprobs_give_a_confidence(fake: FakeVendor, provider: OpenAIProvider):
    fake.then(Reply(extra={"logprob": -0.5}))

    completion = await provider.complete(ASK, CallOptions(logprobs=True))

    assert fake.requests[0]["logprobs"] is True
    assert completion.confidence == pytest.approx(0.6065, abs=1e-3)  # exp(-0.5)


async def test_stream_yields_deltas_then_usage(fake: FakeVendor, provider: OpenAIProvider):
    fake.then(Reply(text="Yes, we can do 15.", input_tokens=40, cached_input_tokens=10))

    deltas, final = await collect(provider.stream(ASK))

    assert len(deltas) > 1 and "".join(deltas) == "Yes, we can do 15." == final.text
    assert (final.input_tokens, final.output_tokens, final.cached_input_tokens) == (40, 5, 10)
    assert final.cost_usd == pytest.approx((30 * 0.15 + 10 * 0.075 + 5 * 0.60) / 1e6)
    assert fake.requests[0]["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "__date__"}, 3.0),
    ],
)
async def test_429_waits_for_retry_after_then_succeeds(
    fake: FakeVendor, provider: OpenAIProvider, sleeps: Sleeps, headers: dict, expected: float
):
    if headers.get("retry-after") == "__date__":
        headers = {"retry-after": format_datetime(datetime.now(UTC) + timedelta(seconds=4), True)}
    fake.then(Reply(status=429, error_message="Rate limit reached", extra={"headers": headers}))

    completion = await provider.complete(ASK)

    assert completion.text == "Hello from the fake model."
    assert sleeps == [pytest.approx(expected, abs=1.0)]
    assert [call.outcome for call in completion.calls] == ["rate_limited", "ok"]
    assert "Rate limit reached" in (completion.calls[0].error or "")
    assert len(fake.requests) == 2


async def test_500_retries_then_the_chain_falls_back(fake: FakeVendor, sleeps: Sleeps):
    fake.script.default = Reply(status=500, error_message="The server had an error")
    primary = openai_provider(fake, sleeps)
    chain = FallbackProvider([primary, backup()])

    completion = await chain.complete(ASK)

    assert completion.text == "From the backup." and completion.provider == "function"
    trail = completion.extras["fallback"]
    assert trail["served_by"] == "function:backup"
    assert trail["skipped"][0]["model"] == "openai:gpt-4o-mini"
    assert trail["skipped"][0]["reason"] == "server_error"
    assert "The server had an error" in trail["skipped"][0]["detail"]
    assert len(fake.requests) == 3 and len(sleeps) == 2  # three attempts, backoff between
    assert [c.outcome for c in completion.calls] == ["server_error"] * 3 + ["ok"]
    await primary.aclose()


async def test_a_stall_past_the_total_timeout_times_out(fake: FakeVendor, sleeps: Sleeps):
    fake.then(Reply(stall=10))
    model = openai_provider(
        fake, sleeps, timeouts=Timeouts(total=0.3), retry=RetryPolicy(max_attempts=1)
    )
    started = time.perf_counter()

    with pytest.raises(ProviderTimeoutError) as caught:
        await model.complete(ASK)

    assert time.perf_counter() - started < 2
    assert caught.value.calls[0].outcome == "timeout"
    await model.aclose()


async def test_a_stall_between_chunks_ends_the_stream_as_interrupted(
    fake: FakeVendor, sleeps: Sleeps
):
    fake.then(Reply(text="Sure thing", stall=10, stall_after_first=True))
    model = openai_provider(fake, sleeps, timeouts=Timeouts(total=5, stream_idle=0.2))
    started = time.perf_counter()

    deltas, final = await collect(model.stream(ASK))

    assert time.perf_counter() - started < 2
    assert deltas == ["Sure"] and final.text == "Sure"
    assert final.finish_reason == INTERRUPTED and final.cost_usd is None
    assert "between stream chunks" in final.extras["error"]
    await model.aclose()


async def test_a_stream_cut_before_the_first_token_is_retried_then_falls_back(
    fake: FakeVendor, sleeps: Sleeps
):
    fake.script.default = Reply(cut=CUT_BEFORE_FIRST_TOKEN)
    primary = openai_provider(fake, sleeps)
    chain = FallbackProvider([primary, backup()])

    deltas, final = await collect(chain.stream(ASK))

    assert "".join(deltas) == "From the backup." == final.text
    assert len(fake.requests) == 3
    assert final.extras["fallback"]["skipped"][0]["reason"] == "connection_error"
    await primary.aclose()


async def test_a_stream_cut_after_the_first_token_keeps_the_partial_text(
    fake: FakeVendor, sleeps: Sleeps
):
    fake.then(Reply(text="We can cater that", cut=CUT_AFTER_FIRST_TOKEN))
    primary = openai_provider(fake, sleeps)
    second = backup()
    chain = FallbackProvider([primary, second])

    deltas, final = await collect(chain.stream(ASK))

    assert deltas == ["We"] and final.text == "We"
    assert final.finish_reason == INTERRUPTED and final.outcome == INTERRUPTED
    assert final.provider == "openai" and "fallback" not in final.extras
    assert second.calls == [] and len(fake.requests) == 1
    await primary.aclose()


async def test_a_cut_answer_is_a_connection_error(fake: FakeVendor, sleeps: Sleeps):
    fake.then(Reply(cut=CUT_BEFORE_FIRST_TOKEN))
    model = openai_provider(fake, sleeps, retry=RetryPolicy(max_attempts=1))

    with pytest.raises(ProviderConnectionError):
        await model.complete(ASK)
    await model.aclose()


async def test_invalid_json_is_sent_back_with_the_errors(
    fake: FakeVendor, provider: OpenAIProvider
):
    fake.then(
        Reply(text='{"name": "Ada"}'),
        Reply(text='{"name": "Ada", "party_size": 15}'),
    )

    completion = await provider.complete(ASK, CallOptions(response_schema=Booking))

    assert completion.parsed == Booking(name="Ada", party_size=15)
    first, repair = fake.requests
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["name"] == "Booking"
    assert "party_size" in first["response_format"]["json_schema"]["schema"]["properties"]
    assert "party_size: Field required" in repair["messages"][-1]["content"]
    assert repair["messages"][-2] == {"role": "assistant", "content": '{"name": "Ada"}'}
    assert [call.role for call in completion.calls] == ["answer", "repair"]


async def test_truncated_json_is_reported_as_truncation(fake: FakeVendor, provider: OpenAIProvider):
    fake.then(Reply(text='{"name": "Ad', finish_reason="length"))

    with pytest.raises(OutputTruncatedError) as caught:
        await provider.complete(ASK, CallOptions(response_schema=Booking, max_tokens=5))

    assert "max_tokens=5" in str(caught.value) and len(fake.requests) == 1


async def test_a_refusal_is_reported_as_a_refusal(fake: FakeVendor, provider: OpenAIProvider):
    fake.then(Reply(refusal="I can't help with that."), Reply(refusal="I can't help with that."))

    with pytest.raises(RefusalError) as caught:
        await provider.complete(ASK, CallOptions(response_schema=Booking))
    plain = await provider.complete(ASK)

    assert "I can't help with that." in str(caught.value)
    assert plain.finish_reason == REFUSAL and plain.text == "I can't help with that."


async def test_401_fails_fast_with_the_vendors_message(
    fake: FakeVendor, provider: OpenAIProvider, sleeps: Sleeps
):
    fake.then(Reply(status=401, error_message="Incorrect API key provided: sk-te**"))

    with pytest.raises(ProviderAuthError) as caught:
        await provider.complete(ASK)

    assert "Incorrect API key provided" in str(caught.value) and caught.value.status == 401
    assert len(fake.requests) == 1 and sleeps == []
    assert provider.cooling_down() == 0


async def test_400_fails_fast_with_the_vendors_message(fake: FakeVendor, provider: OpenAIProvider):
    fake.then(Reply(status=400, error_message="'messages' must contain the word 'json'"))

    with pytest.raises(ProviderRequestError) as caught:
        await provider.complete(ASK)

    assert "must contain the word 'json'" in str(caught.value) and len(fake.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_type", "retryable"),
    [
        (403, ProviderAuthError, False),
        (404, ModelNotFoundError, False),
        (422, ProviderRequestError, False),
        (408, ProviderTimeoutError, True),
        (503, ProviderServerError, True),
    ],
)
async def test_statuses_map_to_our_errors(
    fake: FakeVendor, sleeps: Sleeps, status: int, error_type: type, retryable: bool
):
    fake.then(Reply(status=status, error_message=f"vendor says {status}"))
    model = openai_provider(fake, sleeps, retry=RetryPolicy(max_attempts=1))

    with pytest.raises(error_type) as caught:
        await model.complete(ASK)

    assert type(caught.value) is error_type and caught.value.retryable is retryable
    assert f"vendor says {status}" in str(caught.value) and caught.value.status == status
    await model.aclose()


async def test_the_fake_refuses_requests_without_a_bearer_token(fake: FakeVendor):
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.base_url}/chat/completions", json={"model": "x"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "You didn't provide an API key."


async def test_a_missing_key_makes_the_provider_unavailable(fake: FakeVendor, sleeps: Sleeps):
    model = openai_provider(fake, sleeps, api_key=None)

    assert await model.ready() is False
    with pytest.raises(ProviderUnavailableError, match="OPENAI_API_KEY is not set"):
        await model.complete(ASK)
    with pytest.raises(ProviderUnavailableError):
        await collect(model.stream(ASK))
    assert fake.requests == []
    await model.aclose()


async def test_an_unreachable_server_is_a_connection_error(sleeps: Sleeps):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = OpenAIProvider(
        "gpt-4o-mini",
        api_key="sk-test",
        base_url=f"http://127.0.0.1:{port}/v1",
        retry=RetryPolicy(max_attempts=2),
        sleep=sleeps,
    )

    with pytest.raises(ProviderConnectionError) as caught:
        await model.complete(ASK)

    assert [c.outcome for c in caught.value.calls] == ["connection_error"] * 2
    await model.aclose()


async def test_a_failing_provider_cools_down_and_is_skipped(fake: FakeVendor, sleeps: Sleeps):
    fake.script.default = Reply(status=503, error_message="overloaded")
    policy = RetryPolicy(max_attempts=1, failures_before_cooldown=2, cooldown_seconds=30)
    primary = openai_provider(fake, sleeps, retry=policy)
    chain = FallbackProvider([primary, backup()])

    for _ in range(2):
        assert (await chain.complete(ASK)).text == "From the backup."
    assert len(fake.requests) == 2 and primary.cooling_down() > 25

    skipped = await chain.complete(ASK)
    with pytest.raises(ProviderCoolingDownError):
        await primary.complete(ASK)

    assert len(fake.requests) == 2  # no request while cooling down
    assert skipped.extras["fallback"]["skipped"][0]["reason"] == "cooling_down"
    await primary.aclose()


async def test_ai_provider_openai_builds_a_working_chain(fake: FakeVendor):
    settings = load_settings(
        _env_file=None,
        ai_provider="openai",
        openai_api_key="sk-from-settings",
        openai_base_url=fake.base_url,
    )
    factory = ProviderFactory(provider_settings(settings))
    try:
        chain = factory.default()
        completion = await chain.complete(ASK)
    finally:
        await factory.aclose()

    assert isinstance(chain, FallbackProvider)
    assert chain.chain_ids == ["openai:gpt-6-luna", "local:smollm2"]
    assert completion.model_id == "openai:gpt-6-luna" and completion.cost_usd > 0
    assert fake.script.headers[0]["authorization"] == "Bearer sk-from-settings"


async def test_dropped_connections_are_retried_at_once_without_cooling_the_vendor(
    fake: FakeVendor, sleeps: Sleeps
):
    # A server closes kept-alive connections once idle; a burst reusing five of them at
    # that moment reads nothing from each. Those calls are retried at once on new
    # connections, and five failures at once do not cool the vendor down.
    fake.then(*[Reply(cut=CUT_BEFORE_FIRST_TOKEN)] * 5)
    model = openai_provider(
        fake, sleeps, retry=RetryPolicy(max_attempts=3, failures_before_cooldown=3)
    )

    answers = await asyncio.gather(*(model.complete(ASK) for _ in range(5)))
    await model.aclose()

    assert all(a.outcome == "ok" for a in answers)
    assert [c.outcome for c in answers[0].call_log] == ["connection_error", "ok"]
    assert sleeps == [] and model.cooling_down() == 0
