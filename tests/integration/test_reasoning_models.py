"""Reasoning models and retired models, through the official SDKs against the fake vendors.

Each case is what today's models do: reasoning tokens in usage (billed as
output), an empty reply whose whole budget went to reasoning, a 400 for a
parameter the model refuses, a 404 for a retired model, and the reasoning
effort sent where the model takes one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from agents.errors import ModelNotFoundError, ModelRetiredError, ReasoningExhaustedError
from agents.providers.base import CallOptions, ChatMessage
from agents.providers.factory import ProviderFactory
from agents.providers.resilience import RetryPolicy
from agents.providers.settings import ProviderSettings, VendorSettings
from agents.providers.testing.anthropic_api import fake_anthropic
from agents.providers.testing.openai_api import fake_groq, fake_openai
from agents.providers.testing.script import Reply
from bot.runtime import Runtime
from bot.settings import Settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.db import Database
from memory.models import ModelCall
from memory.spend import SpendLedger

ASK = [ChatMessage("user", "Do you deliver on Sundays?")]
TODAY = date(2026, 12, 2)


def factory_for(vendor: str, url: str, **more) -> ProviderFactory:
    more.setdefault("last_resort", None)
    return ProviderFactory(
        ProviderSettings(
            default_provider=vendor,
            vendors={vendor: VendorSettings("key-test", url)},
            retry=RetryPolicy(max_attempts=2, base_delay=0),
            today=TODAY,
            **more,
        )
    )


async def test_openai_default_gets_low_effort_no_temperature_and_reasoning_is_priced_as_output():
    reply = Reply(text="Yes, until noon.", input_tokens=100, output_tokens=90)
    async with fake_openai(Reply(**{**reply.__dict__, "extra": {"reasoning_tokens": 86}})) as fake:
        fake.script.refused_params = {"temperature", "logprobs"}  # as gpt-6-luna answers
        factory = factory_for("openai", fake.base_url)
        try:
            completion = await factory.default().complete(ASK, CallOptions(temperature=0.3))
        finally:
            await factory.aclose()

    sent = fake.requests[0]
    assert sent["model"] == "gpt-6-luna"
    assert sent["reasoning_effort"] == "low" and "temperature" not in sent
    assert (completion.output_tokens, completion.reasoning_tokens) == (90, 86)
    assert completion.cost_usd == pytest.approx((100 * 0.10 + 90 * 0.50) / 1e6)


async def test_a_reasoning_models_reply_stores_its_reasoning_tokens(
    settings: Settings, database: Database
):
    # Through the whole bot: the openai SDK against the fake, the reply and its call stored.
    reply = Reply(text="Yes, until noon.", input_tokens=100, output_tokens=90)
    async with fake_openai(Reply(**{**reply.__dict__, "extra": {"reasoning_tokens": 86}})) as fake:
        factory = factory_for("openai", fake.base_url)
        channels = {"sms": RecordingChannel("sms")}
        runtime = await Runtime.start(
            settings, provider=factory.default(), channels=channels, db=database
        )
        try:
            answered = await runtime.orchestrator.handle(
                IncomingMessage(
                    channel="sms",
                    sender=Address("phone", "+15551234567"),
                    conversation_key="sms:+15551234567",
                    text="We'd like a hibachi party for 20 guests",
                    external_id="SM-reasoning",
                )
            )
        finally:
            await runtime.aclose(drain_seconds=5, keep_database=True)
            await factory.aclose()

    assert answered is not None
    async with database.sessions() as session:
        call = await session.scalar(select(ModelCall).where(ModelCall.provider == "openai"))
    assert (call.model, call.output_tokens, call.reasoning_tokens) == ("gpt-6-luna", 90, 86)
    ever = await SpendLedger(database).total(
        datetime(2000, 1, 1, tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    )
    assert ever.reasoning_tokens == 86  # what `bot costs` reports


async def test_a_refused_parameter_is_a_400_that_is_not_retried():
    # A model the catalogue does not know gets temperature, and the vendor refuses it.
    async with fake_openai() as fake:
        fake.script.refused_params = {"temperature"}
        factory = factory_for("openai", fake.base_url)
        try:
            with pytest.raises(Exception) as raised:
                await factory.create("openai:o-future").complete(ASK)
        finally:
            await factory.aclose()

    assert "Unsupported parameter: 'temperature'" in str(raised.value)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_an_empty_reply_that_spent_its_budget_reasoning_falls_back(stream):
    exhausted = Reply(text="", finish_reason="length", output_tokens=256)
    exhausted = Reply(**{**exhausted.__dict__, "extra": {"reasoning_tokens": 256}})
    async with fake_groq(exhausted) as fake:
        factory = factory_for("groq", fake.base_url, last_resort="function:echo")
        chain = factory.default()
        try:
            if stream:
                events = [event async for event in chain.stream(ASK, CallOptions(max_tokens=256))]
                completion = events[-1]
            else:
                completion = await chain.complete(ASK, CallOptions(max_tokens=256))
        finally:
            await factory.aclose()

    assert fake.requests[0]["reasoning_effort"] == "low"  # gpt-oss takes low, never none
    assert len(fake.requests) == 1  # not retried: the same request would spend the same
    assert completion.model_id == "function:echo"  # the next in the chain answered
    skipped = completion.extras["fallback"]["skipped"][0]
    assert skipped["reason"] == "reasoning_exhausted"
    first = completion.calls[0]
    assert (first.outcome, first.output_tokens, first.reasoning_tokens) == (
        "reasoning_exhausted",
        256,
        256,
    )
    assert first.cost_usd == pytest.approx((12 * 0.075 + 256 * 0.30) / 1e6)  # still billed


async def test_anthropic_thinking_that_used_the_whole_budget_is_not_an_empty_answer():
    exhausted = Reply(text="", finish_reason="length", output_tokens=64)
    exhausted = Reply(**{**exhausted.__dict__, "extra": {"reasoning_tokens": 64}})
    async with fake_anthropic(exhausted) as fake:
        factory = factory_for("anthropic", fake.base_url)
        try:
            with pytest.raises(ReasoningExhaustedError):
                await factory.default().complete(ASK, CallOptions(max_tokens=64))
        finally:
            await factory.aclose()

    sent = fake.requests[0]
    assert sent["model"] == "claude-haiku-5-5"
    assert sent["output_config"] == {"effort": "low"} and "temperature" not in sent


@pytest.mark.parametrize(
    ("vendor", "fake_server", "model", "replacement"),
    [
        ("openai", fake_openai, "gpt-4o-mini", "openai:gpt-6-luna"),
        ("anthropic", fake_anthropic, "claude-opus-4-5", "anthropic:claude-opus-5-5"),
        ("groq", fake_groq, "openai/gpt-oss-20b", None),
    ],
)
async def test_a_vendors_model_not_found_is_not_retried_names_the_replacement_and_falls_back(
    vendor, fake_server, model, replacement
):
    async with fake_server() as fake:
        fake.script.retired_models = {model}
        factory = factory_for(vendor, fake.base_url, last_resort="function:echo")
        try:
            alone = factory.create(f"{vendor}:{model}")
            with pytest.raises(ModelNotFoundError) as raised:
                await alone.complete(ASK)
            answered = await factory.chain(f"{vendor}:{model}").complete(ASK)
        finally:
            await factory.aclose()

    assert len(fake.requests) == 2  # once alone, once in the chain: never retried
    assert raised.value.outcome == "model_not_found"
    if replacement:
        assert f"names {replacement} as its replacement" in str(raised.value)
    assert answered.model_id == "function:echo"


async def test_a_retired_model_is_never_called_and_its_chain_moves_on():
    async with fake_groq() as fake:
        factory = factory_for("groq", fake.base_url, fallbacks=("function:echo",), last_resort=None)
        try:
            chain = factory.chain("groq:llama-3.3-70b-versatile")
            answered = await chain.complete(ASK)
            stand_in = factory.create("groq:llama-3.3-70b-versatile")
            with pytest.raises(ModelRetiredError, match="use groq:openai/gpt-oss-120b"):
                await stand_in.complete(ASK)
        finally:
            await factory.aclose()

    assert fake.requests == []
    assert answered.model_id == "function:echo"
