"""The whole bot on vendor providers: switching by setting, and surviving the primary's death.

Runtime, orchestrator and memory are real; the models are the official SDKs
talking to our fake vendor servers on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from agents.providers.catalogue import load_catalogue
from agents.providers.testing.anthropic_api import fake_anthropic
from agents.providers.testing.openai_api import fake_openai
from agents.providers.testing.script import Reply
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.base import Address, IncomingMessage
from memory.models import Message, ModelCall

#: OpenAI's current default from the catalogue: a hard-coded id would retire under the test.
OPENAI_MODEL = f"openai:{load_catalogue().defaults['openai']}"


def message(text: str, external_id: str) -> IncomingMessage:
    sender = Address("phone", "+15550001111")
    return IncomingMessage(
        channel="sms",
        sender=sender,
        conversation_key="+15550001111",
        text=text,
        external_id=external_id,
    )


async def test_killing_the_primary_mid_conversation_answers_from_the_next(database, tmp_path: Path):
    async with fake_anthropic(Reply(text="Anthropic here: yes, we travel.")) as anthropic:
        settings = load_settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
            ai_provider=OPENAI_MODEL,
            openai_api_key="sk-test",
            anthropic_api_key="sk-ant-test",
            anthropic_base_url=anthropic.base_url,
            ai_fallbacks="anthropic:claude-haiku-4-5",
            ai_last_resort="none",
            ai_max_attempts=2,
        )
        async with fake_openai(Reply(text="OpenAI here: $60 per adult.")) as openai:
            settings = settings.model_copy(update={"openai_base_url": openai.base_url})
            runtime = await Runtime.start(settings, db=database, migrate=False)
            try:
                first = await runtime.orchestrator.handle(message("What is the price?", "SM1"))
            except BaseException:
                await runtime.aclose()
                raise
        # The OpenAI server is gone now: connections to it are refused.
        try:
            second = await runtime.orchestrator.handle(message("Do you travel to Napa?", "SM2"))
        finally:
            await runtime.providers.aclose()

    assert first.text == "OpenAI here: $60 per adult."
    assert first.completion.model_id == OPENAI_MODEL
    assert second.text == "Anthropic here: yes, we travel."
    assert second.completion.model_id == "anthropic:claude-haiku-4-5"
    trail = second.completion.extras["fallback"]
    assert trail["served_by"] == "anthropic:claude-haiku-4-5"
    assert [(s["model"], s["reason"]) for s in trail["skipped"]] == [
        (OPENAI_MODEL, "connection_error")
    ]

    async with database.sessions() as session:
        calls = (await session.execute(select(ModelCall).order_by(ModelCall.id))).scalars().all()
        reply = await session.get(Message, second.reply_message_id)
    assert [(c.provider, c.outcome) for c in calls] == [
        ("openai", "ok"),
        ("openai", "connection_error"),
        ("openai", "connection_error"),
        ("anthropic", "ok"),
    ]
    assert calls[0].cost_usd > 0 and calls[-1].cost_usd > 0
    assert calls[1].cost_usd == 0  # a refused connection costs nothing
    assert reply.meta["model"] == "anthropic:claude-haiku-4-5"
    assert reply.meta["fallback"]["skipped"][0]["model"] == OPENAI_MODEL


@pytest.mark.embedded_model
async def test_a_hard_cap_stops_paid_calls_and_local_answers(database, tmp_path: Path):
    async with database.transaction() as session:  # this month's spend is already over budget
        session.add(ModelCall(provider="openai", model="gpt-4o-mini", cost_usd=0.02, outcome="ok"))
    async with fake_openai(Reply(text="OpenAI here.")) as openai:
        settings = load_settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
            ai_provider="openai",
            openai_api_key="sk-test",
            openai_base_url=openai.base_url,
            monthly_budget_usd=0.01,
            budget_hard_cap=True,
        )
        runtime = await Runtime.start(settings, db=database, migrate=False)
        try:
            reply = await runtime.orchestrator.handle(message("Do you cater weddings?", "SM3"))
        finally:
            await runtime.providers.aclose()

    assert openai.requests == []  # the paid model was never called
    assert reply.completion.model_id == "local:smollm2"
    assert reply.text and reply.completion.cost_usd == 0.0
    skipped = reply.completion.extras["fallback"]["skipped"]
    assert [(s["model"], s["reason"]) for s in skipped] == [
        ("openai:gpt-6-luna", "budget_exceeded")
    ]
