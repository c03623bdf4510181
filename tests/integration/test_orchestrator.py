"""The path of a message through the orchestrator, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import select

from agents.errors import ProviderError
from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.errors import InvalidMessageError
from bot.orchestrator import APOLOGY
from bot.runtime import Runtime
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.models import Message, ModelCall
from tests.conftest import TEST_PRICE

PHONE = "+15551234567"


def sms(text: str, message_id: str | None = None, phone: str = PHONE) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", phone),
        conversation_key=f"sms:{phone}",
        text=text,
        external_id=message_id,
    )


def telegram(text: str, user_id: str, phone: str | None = None, update_id: str | None = None):
    return IncomingMessage(
        channel="telegram",
        sender=Address("telegram", user_id),
        aliases=(Address("phone", phone),) if phone else (),
        conversation_key=f"chat-{user_id}",
        text=text,
        external_id=update_id,
    )


async def test_reply_is_sent_stored_and_costed(
    runtime: Runtime, channels: dict[str, RecordingChannel], model: FunctionProvider
):
    reply = await runtime.orchestrator.handle(sms("We'd like a hibachi party for 20 guests", "SM1"))

    assert reply is not None
    assert reply.text == "You said: We'd like a hibachi party for 20 guests"
    assert reply.agent == "lead_nurturing"
    assert channels["sms"].sent[0].conversation_key == f"sms:{PHONE}"
    assert channels["sms"].texts == [reply.text]
    async with runtime.db.sessions() as session:
        call = await session.scalar(select(ModelCall))
        stored = await session.get(Message, reply.reply_message_id)
    prompt_words = sum(len(m.content.split()) for m in model.calls[0])
    assert (call.input_tokens, call.output_tokens) == (prompt_words, 10)
    assert call.cost_usd == pytest.approx(TEST_PRICE.cost(prompt_words, 10))
    assert (call.provider, call.model, call.agent, call.outcome) == (
        "function",
        "polite",
        "lead_nurturing",
        "ok",
    )
    assert call.routing_reason.startswith("lexical: nearest ")  # the example router, words
    assert stored.text == reply.text and stored.agent == "lead_nurturing"


async def test_redelivered_message_gets_no_second_reply(
    runtime: Runtime, channels: dict[str, RecordingChannel], model: FunctionProvider
):
    first = await runtime.orchestrator.handle(sms("Do you serve Napa?", "SM-dup"))
    second = await runtime.orchestrator.handle(sms("Do you serve Napa?", "SM-dup"))

    assert first is not None and second is None
    assert len(channels["sms"].sent) == 1
    assert len(model.calls) == 1


async def test_same_phone_on_sms_and_telegram_is_one_history(
    runtime: Runtime, model: FunctionProvider
):
    first = await runtime.orchestrator.handle(sms("My name is Dana, party of 12 in May", "SM7"))
    second = await runtime.orchestrator.handle(
        telegram("What did I tell you about my party?", "4242", phone=PHONE, update_id="901")
    )

    assert first.contact_id == second.contact_id
    second_prompt = [m.content for m in model.calls[1]]
    assert "My name is Dana, party of 12 in May" in second_prompt
    assert first.text in second_prompt  # the bot's SMS answer is remembered too


async def test_continuation_without_a_topic_stays_with_the_agent(runtime: Runtime):
    first = await runtime.orchestrator.handle(sms("I need a refund for my booking"))
    continuation = await runtime.orchestrator.handle(sms("ok thanks, and then?"))

    assert first.agent == "customer_care"
    assert continuation.agent == "customer_care"
    assert "current agent" in continuation.route.reason


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
async def test_bad_text_is_refused_and_nothing_is_stored(runtime: Runtime, text: str):
    with pytest.raises(InvalidMessageError):
        await runtime.orchestrator.handle(sms(text, "SM-bad"))

    async with runtime.db.sessions() as session:
        assert (await session.scalars(select(Message))).all() == []


async def test_provider_failure_apologises_and_logs_the_error(
    settings, database, channels: dict[str, RecordingChannel]
):
    def broken(_messages: Sequence[ChatMessage]) -> str:
        raise ProviderError("upstream is down", provider="function")

    rt = await Runtime.start(
        settings, provider=FunctionProvider(broken), channels=channels, db=database
    )
    reply = await rt.orchestrator.handle(sms("hello there!", "SM-err"))

    assert reply.text == APOLOGY and reply.outcome == "error"
    assert channels["sms"].texts == [APOLOGY]
    async with rt.db.sessions() as session:
        call = await session.scalar(select(ModelCall))
    assert call.outcome == "error" and "upstream is down" in call.error


async def test_long_reply_is_split_for_the_channel(settings, database):
    short_channel = RecordingChannel("sms", max_text_length=160)
    rt = await Runtime.start(
        settings,
        provider=FunctionProvider(lambda _m: "word " * 100),
        channels={"sms": short_channel},
        db=database,
    )
    await rt.orchestrator.handle(sms("tell me everything"))

    assert len(short_channel.sent) == 4
    assert all(len(text) <= 160 for text in short_channel.texts)
    assert " ".join(short_channel.texts).split() == ["word"] * 100


async def test_checked_sentences_reach_the_callback(runtime: Runtime):
    shown: list[str] = []

    async def on_sentence(sentence: str) -> None:
        shown.append(sentence)

    reply = await runtime.orchestrator.handle(sms("what is on the menu"), on_sentence=on_sentence)

    assert " ".join(shown) == " ".join(reply.text.split())
