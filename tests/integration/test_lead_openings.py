"""Lead openings move forward: the next question comes from code (issue 16 item 5)."""

from __future__ import annotations

from collections.abc import Sequence

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import Settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.db import Database
from memory.models import Message

PHONE = "+15553334444"
OPENING = "hi, we are planning a party for 20 people next month"
ECHO = (
    "I'm so sorry for the confusion. Hi, we're planning a party for 20 people next month! "
    "Can you tell me more about it?"
)


def sms(text: str, external_id: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", PHONE),
        conversation_key=PHONE,
        text=text,
        external_id=external_id,
    )


async def _start(settings: Settings, database: Database, reply: str, *, small: bool):
    calls: list[list[ChatMessage]] = []

    def answer(messages: Sequence[ChatMessage]) -> str:
        calls.append(list(messages))
        return reply

    settings = settings.model_copy(
        update={"answer_extractive_models": "function:*" if small else ""}
    )
    runtime = await Runtime.start(
        settings,
        provider=FunctionProvider(answer, model="test"),
        channels={"sms": RecordingChannel("sms")},
        db=database,
    )
    return runtime, calls


async def _meta(runtime: Runtime, reply) -> dict:
    async with runtime.db.sessions() as session:
        stored = await session.get(Message, reply.reply_message_id)
    return dict(stored.meta or {})


async def test_a_small_models_opening_reply_is_built_in_code(settings, database):
    runtime, calls = await _start(settings, database, ECHO, small=True)
    try:
        reply = await runtime.orchestrator.handle(sms(OPENING, "SM1"))
        assert reply is not None and reply.agent == "lead_nurturing"
        assert reply.text == (
            "Thanks for thinking of us for your event! Got it: 20 guests. "
            "What date are you planning the party for?"
        )
        assert calls == []  # no model asked
        assert (await _meta(runtime, reply))["answer"] == "next-question"
        # The next message gives the date: the city comes next, the guests are not asked again.
        reply = await runtime.orchestrator.handle(sms("it's on June 14", "SM2"))
        assert reply is not None and reply.text.endswith("Which city will the party be in?")
        assert "How many" not in reply.text
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)


async def test_a_weekday_in_a_month_is_asked_which_one(settings, database):
    runtime, calls = await _start(settings, database, ECHO, small=True)
    try:
        reply = await runtime.orchestrator.handle(
            sms("hi, we want a chef for a birthday, a Saturday in May, about 18 adults", "SM1")
        )
        assert reply is not None and reply.text == (
            "Thanks for thinking of us for your birthday! Got it: 18 guests. "
            "Which Saturday in May is the date?"
        )
        # A question in between keeps the narrowed question (from the earlier message).
        reply = await runtime.orchestrator.handle(sms("what do you charge per person?", "SM2"))
        assert reply is not None and reply.text.endswith("Which Saturday in May is the date?")
        # May 16, 2027 is a Sunday: asked, not read back as "Got it: on Sunday, May 16".
        reply = await runtime.orchestrator.handle(sms("May 16, 2027", "SM3"))
        assert reply is not None and reply.text == (
            "Just to check: May 16 is a Sunday, not a Saturday. Which date should I note?"
        )
        assert calls == []
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)


async def test_tell_me_about_you_gets_the_business_description(settings, database):
    runtime, calls = await _start(settings, database, ECHO, small=True)
    try:
        reply = await runtime.orchestrator.handle(sms("Tell me about you", "SM1"))
        assert reply is not None and reply.text.startswith(
            "We're Ember & Knife Hibachi Catering, a hibachi catering company in the"
        )
        assert calls == [] and (await _meta(runtime, reply))["answer"] == "extractive"
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)


async def test_another_model_is_told_the_question_to_end_with(settings, database):
    phrased = "Sounds fun! What date is the party?"
    runtime, calls = await _start(settings, database, phrased, small=False)
    try:
        reply = await runtime.orchestrator.handle(sms(OPENING, "SM1"))
        assert reply is not None and reply.text == phrased
        system = calls[0][0].content
        assert "End your reply with this question: What date are you planning" in system
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)


async def test_a_question_the_documents_do_not_answer_is_not_an_opening(settings, database):
    runtime, calls = await _start(settings, database, ECHO, small=True)
    try:
        reply = await runtime.orchestrator.handle(
            sms("We'd love a chef for 20 guests, can we pay in Bitcoin?", "SM1")
        )
        assert reply is not None and reply.agent == "lead_nurturing"
        # Not "Got it: in Bitcoin. What date...": the same "not sure" as alone.
        assert (await _meta(runtime, reply))["answer"] == "not-sure"
        assert "Bitcoin" not in reply.text and calls == []
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)
