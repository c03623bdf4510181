"""GeminiProvider through the real ``openai`` SDK against a fake Gemini OpenAI-compatible API."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel

from agents.errors import ModelNotFoundError, RateLimitedError
from agents.privacy.scrubbing import ScrubbingProvider
from agents.providers.base import CallOptions, ChatMessage, Completion
from agents.providers.factory import CLOUD_PROVIDERS, ProviderFactory
from agents.providers.gemini import GeminiProvider
from agents.providers.resilience import RetryPolicy
from agents.providers.settings import ProviderSettings, VendorSettings
from agents.providers.testing.openai_api import fake_gemini
from agents.providers.testing.script import Reply
from bot.settings import load_settings
from bot.wiring.models import provider_settings

ASK = [ChatMessage("system", "You are a florist."), ChatMessage("user", "Roses today?")]


class Stock(BaseModel):
    roses: int


def factory_for(url: str, **more) -> ProviderFactory:
    return ProviderFactory(
        ProviderSettings(
            default_provider="gemini",
            last_resort=None,
            vendors={"gemini": VendorSettings("gm-key", url)},
            retry=RetryPolicy(max_attempts=2, base_delay=0, max_retry_after=1),
            today=date(2026, 12, 2),
            **more,
        )
    )


async def test_ai_provider_gemini_answers_with_its_default_and_the_request_gemini_accepts():
    async with fake_gemini(Reply(text="Forty red roses.", input_tokens=20)) as fake:
        factory = factory_for(fake.base_url)
        try:
            model = factory.default()
            completion = await model.complete(ASK, CallOptions(temperature=0.7))
        finally:
            await factory.aclose()

    assert isinstance(model, GeminiProvider)
    assert completion.text == "Forty red roses."
    assert completion.model_id == "gemini:gemini-3.5-flash-lite"
    sent = fake.requests[0]
    assert sent["model"] == "gemini-3.5-flash-lite"
    # 3.5 Flash-Lite ignores custom temperatures; it takes a thinking level instead.
    assert "temperature" not in sent and sent["reasoning_effort"] == "low"
    assert fake.script.headers[0]["authorization"] == "Bearer gm-key"
    assert completion.cost_usd is None  # Google's price was not found: unknown, not a guess


async def test_streams_and_structured_output_keep_their_guarantees():
    async with fake_gemini() as fake:
        fake.then(Reply(text="We have roses and tulips."), Reply(text='{"roses": 40}'))
        factory = factory_for(fake.base_url)
        try:
            model = factory.default()
            events = [event async for event in model.stream(ASK)]
            parsed = await model.complete(ASK, CallOptions(response_schema=Stock))
        finally:
            await factory.aclose()

    assert "".join(e for e in events if isinstance(e, str)) == "We have roses and tulips."
    assert isinstance(events[-1], Completion) and events[-1].input_tokens == 12
    assert fake.requests[0]["stream_options"] == {"include_usage": True}
    assert parsed.parsed == Stock(roses=40)
    assert fake.requests[1]["response_format"]["type"] == "json_schema"


async def test_rate_limits_are_waited_out_by_our_one_retry_loop():
    async with fake_gemini() as fake:
        fake.then(Reply(status=429, retry_after=0), Reply(text="Yes."))
        factory = factory_for(fake.base_url)
        try:
            completion = await factory.default().complete(ASK)
        finally:
            await factory.aclose()

    assert completion.text == "Yes." and len(fake.requests) == 2
    assert completion.calls[0].outcome == RateLimitedError.outcome


async def test_googles_not_found_is_model_not_found_and_not_retried():
    async with fake_gemini() as fake:
        fake.script.retired_models = {"gemini-9-experimental"}
        factory = factory_for(fake.base_url)
        try:
            with pytest.raises(ModelNotFoundError, match="is not found for API version v1beta"):
                await factory.create("gemini:gemini-9-experimental").complete(ASK)
        finally:
            await factory.aclose()

    assert len(fake.requests) == 1


def test_gemini_is_a_cloud_vendor_scrubbed_like_the_others():
    settings = load_settings(_env_file=None, gemini_api_key="gm", pii_scrub_cloud=True)
    factory = ProviderFactory(provider_settings(settings))
    assert "gemini" in CLOUD_PROVIDERS
    assert isinstance(factory.create("gemini"), ScrubbingProvider)
    assert "gemini" in settings.compare_model_ids()  # the ChatGPT, Claude, Gemini line-up
