"""PII_SCRUB_CLOUD: the real ``openai`` SDK against the fake OpenAI server sees placeholders.

The fake answers with the placeholders it was given (as a model does); the
caller gets the customer's own phone and e-mail back, in one piece and streamed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from agents.privacy.scrubbing import ScrubbingProvider
from agents.providers.base import ChatMessage, Completion
from agents.providers.catalogue import load_catalogue
from agents.providers.factory import ProviderFactory
from agents.providers.settings import ProviderSettings, VendorSettings
from agents.providers.testing.openai_api import fake_openai
from agents.providers.testing.script import Reply
from agents.providers.testing.server import FakeVendor
from bot.runtime import Runtime
from channels.base import Address, IncomingMessage
from memory.models import Message
from tests.support.rows import count_rows

#: OpenAI's current default from the catalogue: a hard-coded id would retire under the test.
OPENAI_MODEL = f"openai:{load_catalogue().defaults['openai']}"

PHONE = "+1 (650) 555-0199"
EMAIL = "jane.doe@acme.com"
CARD = "4111 1111 1111 1111"
ASK = [
    ChatMessage("system", "You are a caterer's front desk."),
    ChatMessage("user", f"I'm Jane, call {PHONE} or mail {EMAIL}. Card {CARD}."),
]
ANSWER = "Thanks! We will call [PHONE_1] and confirm to [EMAIL_1]; no card needed ([CARD_1])."
RESTORED = f"Thanks! We will call {PHONE} and confirm to {EMAIL}; no card needed ({CARD})."


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with fake_openai() as vendor:
        yield vendor


def factory_for(fake: FakeVendor, *, scrub: bool) -> ProviderFactory:
    return ProviderFactory(
        ProviderSettings(
            vendors={"openai": VendorSettings("sk-test", fake.base_url)},
            last_resort=None,
            pii_scrub_cloud=scrub,
        )
    )


def seen_by_vendor(fake: FakeVendor) -> str:
    return json.dumps(fake.requests)


def assert_nothing_personal(text: str) -> None:
    for secret in ("555-0199", "6505550199", "jane.doe", "acme.com", "4111"):
        assert secret not in text


async def test_complete_masks_before_the_call_and_restores_the_reply(fake: FakeVendor):
    factory = factory_for(fake, scrub=True)
    provider = factory.create(OPENAI_MODEL)
    fake.then(Reply(text=ANSWER))
    try:
        completion = await provider.complete(ASK)
    finally:
        await factory.aclose()

    assert isinstance(provider, ScrubbingProvider)
    assert provider.model_id == OPENAI_MODEL
    assert_nothing_personal(seen_by_vendor(fake))
    [request] = fake.requests
    assert request["messages"][1]["content"] == (
        "I'm Jane, call [PHONE_1] or mail [EMAIL_1]. Card [CARD_1]."
    )
    assert completion.text == RESTORED
    assert completion.input_tokens == 12 and completion.cost_usd is not None


async def test_stream_restores_placeholders_as_deltas_arrive(fake: FakeVendor):
    factory = factory_for(fake, scrub=True)
    provider = factory.create("openai")
    fake.then(Reply(text=ANSWER))
    deltas: list[str] = []
    final: Completion | None = None
    try:
        async for event in provider.stream(ASK):
            if isinstance(event, Completion):
                final = event
            else:
                deltas.append(event)
    finally:
        await factory.aclose()

    assert_nothing_personal(seen_by_vendor(fake))
    assert "".join(deltas) == RESTORED
    assert not any("[PHONE" in d or "[EMAIL" in d for d in deltas)
    assert final is not None and final.text == RESTORED


async def test_off_by_default_and_never_for_local_models(fake: FakeVendor):
    plain = factory_for(fake, scrub=False)
    scrubbing = factory_for(fake, scrub=True)
    fake.then(Reply(text="ok"))
    try:
        unwrapped = plain.create("openai")
        await unwrapped.complete(ASK)
        local_ones = [scrubbing.create("function:echo"), scrubbing.create("ollama")]
    finally:
        await plain.aclose()
        await scrubbing.aclose()

    assert not isinstance(unwrapped, ScrubbingProvider)
    assert PHONE in seen_by_vendor(fake)  # the vendor saw it all
    assert not any(isinstance(p, ScrubbingProvider) for p in local_ones)


async def test_a_customer_message_through_the_bot(settings, database, channels, fake: FakeVendor):
    """The stored message keeps the customer's words; only the vendor sees placeholders."""
    settings = settings.model_copy(
        update={
            "ai_provider": OPENAI_MODEL,
            "openai_api_key": "sk-test",
            "openai_base_url": fake.base_url,
            "ai_last_resort": "none",
            "pii_scrub_cloud": True,
        }
    )
    # The system prompt comes first, and holds the business's own number and e-mail:
    # those are [PHONE_1] and [EMAIL_1], the customer's are the second ones.
    fake.then(Reply(text="Noted, we will text [PHONE_2] and mail [EMAIL_2]."))
    runtime = await Runtime.start(settings, db=database, channels=channels, migrate=False)
    try:
        reply = await runtime.orchestrator.handle(
            IncomingMessage(
                channel="sms",
                sender=Address("phone", "+16505550199"),
                conversation_key="+16505550199",
                text=f"We want a party for 30 guests. Text me at {PHONE} or mail {EMAIL}",
                external_id="SM1",
            )
        )
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)

    assert reply is not None
    assert reply.text == f"Noted, we will text {PHONE} and mail {EMAIL}."
    assert_nothing_personal(seen_by_vendor(fake))
    [request] = fake.requests
    asked = request["messages"][-1]["content"]
    assert asked == "We want a party for 30 guests. Text me at [PHONE_2] or mail [EMAIL_2]"
    assert await count_rows(database, Message) == 2
    assert channels["sms"].texts[-1] == reply.text
