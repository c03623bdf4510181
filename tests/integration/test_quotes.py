"""Quotes through the orchestrator: the arithmetic is the code's, never the model's.

The function model answers every call with a wrong total; a price question with
a guest count known (now or earlier in the conversation) must not reach it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date

import pytest

from agents.lead_nurturing.dates import extract_date
from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from agents.replies import near_repeat
from bot.runtime import Runtime
from bot.settings import Settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.db import Database
from memory.models import Message

PHONE = "+15557654321"
WRONG = "That would be about $999 in total!"


@pytest.fixture
def calls() -> list[list[ChatMessage]]:
    return []


@pytest.fixture
async def runtime(
    settings: Settings, database: Database, calls: list[list[ChatMessage]]
) -> AsyncIterator[Runtime]:
    def reply(messages: Sequence[ChatMessage]) -> str:
        calls.append(list(messages))
        return WRONG

    rt = await Runtime.start(
        settings,
        provider=FunctionProvider(reply, model="test"),
        channels={"sms": RecordingChannel("sms")},
        db=database,
    )
    try:
        yield rt
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)


def sms(text: str, external_id: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", PHONE),
        conversation_key=PHONE,
        text=text,
        external_id=external_id,
    )


async def test_a_price_question_with_a_guest_count_gets_the_codes_arithmetic(
    runtime: Runtime, calls: list[list[ChatMessage]]
):
    reply = await runtime.orchestrator.handle(
        sms("How much would hibachi catering cost for 25 guests?", "SM1")
    )

    assert reply is not None and reply.agent == "lead_nurturing"
    assert "25 guests x $60 = $1,500" in reply.text
    assert "Estimated total: $1,500" in reply.text
    assert "Not included: gratuity" in reply.text and "$999" not in reply.text
    assert calls == []  # no model was asked to multiply
    async with runtime.db.sessions() as session:
        stored = await session.get(Message, reply.reply_message_id)
    assert stored.meta["answer"] == "quote"
    assert stored.meta["quote"]["total"] == "1500"


async def test_guests_and_date_given_earlier_make_how_much_a_quote(runtime: Runtime):
    for n, text in enumerate(
        [
            "hi, we are planning a birthday party for my mom",
            "it's on June 14, about 20 adults and 5 kids",
            "we are in Oakland, backyard",
        ]
    ):
        await runtime.orchestrator.handle(sms(text, f"SM{n}"))
    reply = await runtime.orchestrator.handle(sms("how much would that cost?", "SM9"))

    assert reply is not None and reply.agent == "lead_nurturing"
    assert "20 adults x $60 = $1,200" in reply.text and "5 kids x $30 = $150" in reply.text
    event = extract_date("June 14", today=date.today())
    assert event is not None
    weekday = event.weekday() < 4  # Monday to Thursday: 10% off
    expected = "$1,215" if weekday else "$1,350"
    assert f"Estimated total: {expected}" in reply.text
    # Oakland is not the travel base: the travel fee beyond the radius is left out, and said.
    assert "travel beyond 30 miles of San Francisco ($1.50 per mile)" in reply.text


async def test_a_second_quote_in_a_conversation_gives_the_new_arithmetic_alone(runtime: Runtime):
    await runtime.orchestrator.handle(sms("hey we want hibachi for 12 adults on Saturday", "SM1"))
    await runtime.orchestrator.handle(sms("we're in San Francisco", "SM4"))
    first = await runtime.orchestrator.handle(sms("how much is the filet upgrade?", "SM2"))
    second = await runtime.orchestrator.handle(sms("and what does lobster cost?", "SM3"))

    assert first is not None and second is not None
    assert "filet mignon for 12 x $10 = $120" in first.text
    # The full quote again would read almost as the first one (a repeated reply).
    assert second.text == (
        "Updated estimate: 12 adults x $60 = $720; lobster tail for 12 x $15 = $180. "
        "Estimated total: $900. And what name should I put the enquiry under?"
    )
    assert not near_repeat(second.text, [first.text])
