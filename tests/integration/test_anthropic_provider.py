"""`AnthropicProvider` through the real ``anthropic`` SDK against a fake Messages API."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel

from agents.errors import (
    OutputTruncatedError,
    ProviderAuthError,
    ProviderConnectionError,
    ProviderRequestError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RefusalError,
)
from agents.providers.anthropic import AnthropicProvider
from agents.providers.anthropic_wire import to_anthropic, tool_name
from agents.providers.base import INTERRUPTED, REFUSAL, CallOptions, ChatMessage
from agents.providers.factory import ProviderFactory
from agents.providers.fallback import FallbackProvider
from agents.providers.function import FunctionProvider
from agents.providers.resilience import RetryPolicy, Timeouts, retry_after
from agents.providers.testing.anthropic_api import api_key, fake_anthropic
from agents.providers.testing.script import (
    CUT_AFTER_FIRST_TOKEN,
    CUT_BEFORE_FIRST_TOKEN,
    Reply,
)
from agents.providers.testing.server import FakeVendor
from bot.settings import load_settings
from bot.wiring.models import provider_settings
from tests.support.provider_doubles import Sleeps, collect

# A current model that takes temperature (the default, claude-haiku-5-5, refuses it).
MODEL = "claude-haiku-4-5"  # $1 in, $5 out, $0.10 cache reads per million tokens
QUESTION = [ChatMessage("user", "When are you open?")]


class Booking(BaseModel):
    name: str
    party_size: int


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with fake_anthropic() as vendor:
        yield vendor


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def claude(fake: FakeVendor, sleeps: Sleeps) -> AsyncIterator[AnthropicProvider]:
    provider = make_provider(fake, sleeps)
    yield provider
    await provider.aclose()


def make_provider(
    fake: FakeVendor,
    sleeps: Sleeps,
    *,
    timeouts: Timeouts | None = None,
    attempts: int = 3,
) -> AnthropicProvider:
    return AnthropicProvider(
        MODEL,
        api_key="sk-ant-test",
        base_url=fake.base_url,
        timeouts=timeouts or Timeouts(connect=1.0, total=5.0, stream_idle=2.0),
        retry=RetryPolicy(max_attempts=attempts, base_delay=0.01, max_delay=0.02),
        sleep=sleeps,
    )


def backup() -> FunctionProvider:
    return FunctionProvider(lambda _messages: "The backup answers.", model="backup")


# -- success -------------------------------------------------------------------------------


async def test_complete_reports_text_tokens_and_cache_aware_cost(
    fake: FakeVendor, claude: AnthropicProvider
) -> None:
    fake.then(
        Reply(text="We open at 9.", input_tokens=1000, cached_input_tokens=600, output_tokens=50)
    )

    completion = await claude.complete(QUESTION, CallOptions(max_tokens=100, temperature=0.2))

    assert completion.text == "We open at 9."
    assert completion.model_id == f"anthropic:{MODEL}"
    assert completion.finish_reason == "stop"
    assert (completion.input_tokens, completion.cached_input_tokens) == (1000, 600)
    assert completion.output_tokens == 50
    # 400 uncached at $1, 600 cache reads at $0.10, 50 out at $5, per million.
    assert completion.cost_usd == pytest.approx((400 * 1 + 600 * 0.10 + 50 * 5) / 1e6)
    [request] = fake.requests
    assert request["model"] == MODEL
    assert request["max_tokens"] == 100
    assert "temperature" not in request  # the current Messages API takes none
    assert request["messages"] == [{"role": "user", "content": "When are you open?"}]
    assert "system" not in request and "tools" not in request
    headers = fake.script.headers[0]
    assert api_key(headers) == "sk-ant-test"
    assert headers["anthropic-version"]
    assert headers["x-stainless-retry-count"] == "0"


async def test_cache_writes_count_as_input(fake: FakeVendor, claude: AnthropicProvider) -> None:
    fake.then(Reply(input_tokens=500, extra={"cache_creation_input_tokens": 300}))

    completion = await claude.complete(QUESTION)

    assert (completion.input_tokens, completion.cached_input_tokens) == (500, 0)
    # Cache writes are priced at the input rate (Anthropic bills them at 1.25x).
    assert completion.cost_usd == pytest.approx((500 * 1 + completion.output_tokens * 5) / 1e6)


async def test_system_messages_go_to_the_system_parameter(
    fake: FakeVendor, claude: AnthropicProvider
) -> None:
    messages = [
        ChatMessage("system", "You are the front desk."),
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "Hi"),
        ChatMessage("user", "Are you open?"),
        ChatMessage("assistant", "Yes."),
        ChatMessage("user", "Until when?"),
    ]

    await claude.complete(messages)

    [request] = fake.requests
    assert request["system"] == "You are the front desk.\n\nBe brief."
    # Two user turns in a row are merged: the API rejects them apart.
    assert request["messages"] == [
        {"role": "user", "content": "Hi\n\nAre you open?"},
        {"role": "assistant", "content": "Yes."},
        {"role": "user", "content": "Until when?"},
    ]


def test_to_anthropic_without_system() -> None:
    assert to_anthropic(QUESTION) == ("", [{"role": "user", "content": "When are you open?"}])


def test_schema_names_become_valid_tool_names() -> None:
    assert tool_name("Booking") == "Booking"
    assert tool_name("Booking[int] v2") == "Booking_int__v2"
    assert len(tool_name("x" * 100)) == 64


async def test_max_tokens_is_capped_by_the_vendor_setting(fake: FakeVendor, sleeps: Sleeps) -> None:
    claude = AnthropicProvider(
        MODEL, api_key="sk-ant-test", base_url=fake.base_url, max_tokens_cap=64, sleep=sleeps
    )

    await claude.complete(QUESTION, CallOptions(max_tokens=1000))
    await claude.aclose()

    assert fake.requests[0]["max_tokens"] == 64


async def test_stream_yields_deltas_then_usage_and_cost(
    fake: FakeVendor, claude: AnthropicProvider
) -> None:
    fake.then(Reply(text="We open at nine.", input_tokens=40, cached_input_tokens=10))

    deltas, completion = await collect(claude.stream(QUESTION))

    assert len(deltas) > 1
    assert "".join(deltas) == completion.text == "We open at nine."
    assert (completion.input_tokens, completion.cached_input_tokens) == (40, 10)
    assert completion.output_tokens == 4
    assert completion.finish_reason == "stop"
    assert completion.cost_usd == pytest.approx((30 * 1 + 10 * 0.10 + 4 * 5) / 1e6)
    assert fake.requests[0]["stream"] is True


async def test_a_truncated_answer_says_length(fake: FakeVendor, claude: AnthropicProvider) -> None:
    fake.then(Reply(text="We open at", finish_reason="length"))

    completion = await claude.complete(QUESTION, CallOptions(max_tokens=3))

    assert completion.finish_reason == "length"
    assert completion.outcome == "truncated"


# -- retries and fallback ------------------------------------------------------------------


async def test_529_then_success_is_retried(
    fake: FakeVendor, claude: AnthropicProvider, sleeps: Sleeps
) -> None:
    fake.then(Reply(status=529, error_message="Overloaded"))

    completion = await claude.complete(QUESTION)

    assert completion.text == "Hello from the fake model."
    assert len(fake.requests) == 2
    assert len(sleeps) == 1
    failed, served = completion.calls
    assert failed.outcome == "server_error"
    assert "529 overloaded_error: Overloaded" in (failed.error or "")
    assert served.outcome == "ok"


async def test_529_every_time_falls_back(sleeps: Sleeps) -> None:
    async with fake_anthropic(default=Reply(status=529, error_message="Overloaded")) as fake:
        claude = make_provider(fake, sleeps)
        chain = FallbackProvider([claude, backup()])

        completion = await chain.complete(QUESTION)
        await claude.aclose()

    assert completion.text == "The backup answers."
    assert len(fake.requests) == 3
    trail = completion.extras["fallback"]
    assert trail["served_by"] == "function:backup"
    [skipped] = trail["skipped"]
    assert skipped["model"] == f"anthropic:{MODEL}"
    assert skipped["reason"] == "server_error"
    assert "Overloaded" in skipped["detail"]
    assert [call.outcome for call in completion.calls] == ["server_error"] * 3 + ["ok"]


async def test_429_waits_as_long_as_retry_after_says(
    fake: FakeVendor, claude: AnthropicProvider, sleeps: Sleeps
) -> None:
    fake.then(Reply(status=429, retry_after=7, error_message="Number of requests exceeded"))

    completion = await claude.complete(QUESTION)

    assert sleeps == [7.0]
    assert [call.outcome for call in completion.calls] == ["rate_limited", "ok"]


def test_retry_after_in_milliseconds_seconds_or_a_date() -> None:
    assert retry_after(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after(httpx.Headers({"retry-after": "3"})) == 3.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (retry_after(httpx.Headers({"retry-after": later})) or 0) <= 30
    assert retry_after(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after(httpx.Headers({})) is None


async def test_401_fails_fast_with_the_vendors_message(
    fake: FakeVendor, claude: AnthropicProvider, sleeps: Sleeps
) -> None:
    fake.then(Reply(status=401, error_message="invalid x-api-key"))

    with pytest.raises(ProviderAuthError, match="invalid x-api-key") as caught:
        await claude.complete(QUESTION)

    assert len(fake.requests) == 1
    assert sleeps == []
    assert caught.value.status == 401
    assert not caught.value.retryable
    assert [call.outcome for call in caught.value.calls] == ["auth_error"]


async def test_400_fails_fast_with_the_vendors_message(
    fake: FakeVendor, claude: AnthropicProvider
) -> None:
    fake.then(Reply(status=400, error_message="messages: roles must alternate"))

    with pytest.raises(ProviderRequestError, match="roles must alternate"):
        await claude.complete(QUESTION)

    assert len(fake.requests) == 1


async def test_the_fake_refuses_a_request_without_a_key(fake: FakeVendor) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.base_url}/v1/messages", json={"model": MODEL})

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


async def test_without_a_key_the_provider_builds_but_is_not_ready() -> None:
    claude = AnthropicProvider(MODEL, api_key=None)

    assert not await claude.ready()
    with pytest.raises(ProviderUnavailableError, match="ANTHROPIC_API_KEY is not set") as caught:
        await claude.complete(QUESTION)
    assert not caught.value.retryable
    with pytest.raises(ProviderUnavailableError):
        await collect(claude.stream(QUESTION))


async def test_a_stall_past_the_total_timeout(fake: FakeVendor, sleeps: Sleeps) -> None:
    claude = make_provider(fake, sleeps, timeouts=Timeouts(total=0.3), attempts=1)
    fake.then(Reply(stall=5.0))

    started = time.perf_counter()
    with pytest.raises(ProviderTimeoutError):
        await claude.complete(QUESTION)
    await claude.aclose()

    assert time.perf_counter() - started < 2.0


async def test_an_unreachable_server_is_retried_then_reported(sleeps: Sleeps) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    claude = AnthropicProvider(
        MODEL,
        api_key="sk-ant-test",
        base_url=f"http://127.0.0.1:{port}",
        retry=RetryPolicy(max_attempts=3, base_delay=0.01),
        sleep=sleeps,
    )

    with pytest.raises(ProviderConnectionError, match="cannot reach") as caught:
        await claude.complete(QUESTION)
    await claude.aclose()

    assert caught.value.retryable
    assert [call.outcome for call in caught.value.calls] == ["connection_error"] * 3
    # The first retry goes at once (a closed keep-alive connection is the usual cause);
    # only the next one waits.
    assert len(sleeps) == 1


# -- broken streams ------------------------------------------------------------------------


async def test_a_stream_cut_before_the_first_token_falls_back(
    fake: FakeVendor, sleeps: Sleeps
) -> None:
    claude = make_provider(fake, sleeps, attempts=2)
    fake.then(Reply(cut=CUT_BEFORE_FIRST_TOKEN), Reply(cut=CUT_BEFORE_FIRST_TOKEN))

    deltas, completion = await collect(FallbackProvider([claude, backup()]).stream(QUESTION))
    await claude.aclose()

    assert "".join(deltas) == completion.text == "The backup answers."
    assert len(fake.requests) == 2
    [skipped] = completion.extras["fallback"]["skipped"]
    assert skipped["reason"] == "stream_broken"


async def test_a_stream_cut_after_the_first_token_keeps_what_was_said(
    fake: FakeVendor, claude: AnthropicProvider
) -> None:
    fake.then(Reply(text="We open at nine.", cut=CUT_AFTER_FIRST_TOKEN))

    deltas, completion = await collect(claude.stream(QUESTION))

    assert deltas == ["We"]
    assert completion.text == "We"
    assert completion.finish_reason == INTERRUPTED
    assert completion.cost_usd is None
    assert len(fake.requests) == 1


async def test_a_stream_idle_past_the_chunk_timeout_is_interrupted(
    fake: FakeVendor, sleeps: Sleeps
) -> None:
    claude = make_provider(fake, sleeps, timeouts=Timeouts(total=5.0, stream_idle=0.2))
    fake.then(Reply(text="We open at nine.", stall=5.0, stall_after_first=True))

    deltas, completion = await collect(claude.stream(QUESTION))
    await claude.aclose()

    assert deltas == ["We"]
    assert completion.finish_reason == INTERRUPTED
    assert "between stream chunks" in completion.extras["error"]


async def test_an_overloaded_error_event_mid_stream_is_retried(
    fake: FakeVendor, claude: AnthropicProvider
) -> None:
    fake.then(Reply(error_message="Overloaded", extra={"stream_error": "overloaded_error"}))

    deltas, completion = await collect(claude.stream(QUESTION))

    assert "".join(deltas) == completion.text == "Hello from the fake model."
    failed, served = completion.calls
    assert failed.outcome == "server_error"
    assert "overloaded_error: Overloaded" in (failed.error or "")
    assert served.outcome == "ok"


# -- structured output ---------------------------------------------------------------------


async def test_structured_output_uses_a_forced_tool_and_repairs(
    fake: FakeVendor, claude: AnthropicProvider
) -> None:
    fake.then(
        Reply(text='{"name": "Ana"}'),
        Reply(text='{"name": "Ana", "party_size": 4}'),
    )

    completion = await claude.complete(QUESTION, CallOptions(response_schema=Booking))

    assert completion.parsed == Booking(name="Ana", party_size=4)
    first, second = fake.requests
    assert first["tools"] == [
        {
            "name": "Booking",
            "description": "Give your answer as a Booking object.",
            "input_schema": Booking.model_json_schema(),
        }
    ]
    assert first["tool_choice"] == {"type": "tool", "name": "Booking"}
    assert "JSON schema" in first["system"]
    repair = second["messages"][-1]
    assert repair["role"] == "user"
    assert "party_size: Field required" in repair["content"]
    assert second["messages"][-2] == {"role": "assistant", "content": '{"name": "Ana"}'}
    assert [call.role for call in completion.calls] == ["answer", "repair"]


async def test_structured_output_truncated(fake: FakeVendor, claude: AnthropicProvider) -> None:
    fake.then(Reply(text='{"name": "An', finish_reason="length"))

    with pytest.raises(OutputTruncatedError, match="max_tokens"):
        await claude.complete(QUESTION, CallOptions(response_schema=Booking, max_tokens=5))

    assert len(fake.requests) == 1


async def test_a_refusal_is_reported_as_such(fake: FakeVendor, claude: AnthropicProvider) -> None:
    refusal = Reply(
        refusal="I can't help with that.",
        extra={"refusal_category": "cyber", "refusal_explanation": "policy: cyber"},
    )
    fake.then(refusal, refusal, refusal)

    with pytest.raises(RefusalError, match="I can't help with that") as caught:
        await claude.complete(QUESTION, CallOptions(response_schema=Booking))
    plain = await claude.complete(QUESTION)
    deltas, streamed = await collect(claude.stream(QUESTION))

    assert len(fake.requests) == 3  # a refusal is not re-asked
    assert [call.role for call in caught.value.calls] == ["answer"]
    assert plain.finish_reason == streamed.finish_reason == REFUSAL
    assert plain.text == "".join(deltas) == "I can't help with that."
    assert plain.extras["refusal"] == streamed.extras["refusal"] == "policy: cyber"


# -- the factory ---------------------------------------------------------------------------


async def test_the_factory_builds_it_from_settings(fake: FakeVendor, tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        ai_provider="anthropic",
        anthropic_base_url=fake.base_url,
        anthropic_api_key="sk-ant-factory",
        anthropic_model=MODEL,
        ai_last_resort="none",
    )
    factory = ProviderFactory(provider_settings(settings))
    try:
        claude = factory.default()
        completion = await claude.complete(QUESTION)
    finally:
        await factory.aclose()

    assert isinstance(claude, AnthropicProvider)
    assert completion.model_id == f"anthropic:{MODEL}"
    assert completion.cost_usd is not None and completion.cost_usd > 0
    assert api_key(fake.script.headers[0]) == "sk-ant-factory"


async def test_a_chain_without_a_key_falls_to_the_next(sleeps: Sleeps) -> None:
    claude = AnthropicProvider(MODEL, api_key=None, sleep=sleeps)
    chain = FallbackProvider([claude, backup()])

    completion = await chain.complete(QUESTION)

    assert completion.text == "The backup answers."
    [skipped] = completion.extras["fallback"]["skipped"]
    assert skipped["reason"] == "unavailable"
    assert sleeps == []
