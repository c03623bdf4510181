"""`Orchestrator.handle(on_sentence=...)`: what a streaming channel shows is what is stored
and sent, each sentence shown only once the grounding check passed it (`agents.sentences`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.models import Message
from tests.support.replies import invents_price

RAW = invents_price([])


class Shown:
    """An ``on_sentence`` that keeps what it was given, as a web chat's SSE writer would."""

    def __init__(self) -> None:
        self.sentences: list[str] = []

    async def __call__(self, sentence: str) -> None:
        self.sentences.append(sentence)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def web(text: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", "+14155550123"),
        conversation_key="+14155550123",
        text=text,
    )


@pytest.fixture
async def bot(settings, database) -> AsyncIterator[tuple[Runtime, RecordingChannel]]:
    sms = RecordingChannel("sms")
    rt = await Runtime.start(
        settings, provider=FunctionProvider(invents_price), channels={"sms": sms}, db=database
    )
    try:
        yield rt, sms
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)


async def stored_reply(rt: Runtime, message_id: int) -> Message:
    async with rt.db.sessions() as session:
        return await session.scalar(select(Message).where(Message.id == message_id))


async def test_an_invented_price_in_the_second_sentence_shows_the_first_then_the_substitute(bot):
    rt, sms = bot
    shown = Shown()

    reply = await rt.orchestrator.handle(web("Tell me about your dinner prices"), on_sentence=shown)

    assert shown.sentences[0] == "We cook at your home."
    assert "$999" not in shown.text and "We bring everything" not in shown.text  # never raw
    assert len(shown.sentences) > 1  # the substitute follows, sentence by sentence
    stored = await stored_reply(rt, reply.reply_message_id)
    assert " ".join(stored.text.split()) == shown.text == " ".join(reply.text.split())
    assert sms.texts == [reply.text]  # sent is stored is shown
    grounding = stored.meta["grounding"]
    assert grounding["replaced"] == RAW and grounding["kept"] == "We cook at your home."


async def test_a_reply_that_passes_is_shown_whole_sentence_by_sentence(settings, database):
    model = FunctionProvider(lambda _m: "Thanks for writing! Tell me about your event.")
    channels = {"sms": RecordingChannel("sms")}
    rt = await Runtime.start(settings, provider=model, channels=channels, db=database)
    try:
        shown = Shown()
        reply = await rt.orchestrator.handle(web("Hello there"), on_sentence=shown)
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)
    assert shown.sentences == ["Thanks for writing!", "Tell me about your event."]
    assert reply.text == shown.text


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("The chef cancelled, I want a refund for HH-1042", "handoff"),
        ("Do you have a helicopter pad?", "no-knowledge"),  # not sure, decided in code
    ],
)
async def test_answers_decided_in_code_are_shown_sentence_by_sentence(bot, question, rule):
    rt, sms = bot
    shown = Shown()

    reply = await rt.orchestrator.handle(web(question), on_sentence=shown)

    assert rule in (reply.completion.model, reply.outcome)
    assert len(shown.sentences) > 1 and shown.text == " ".join(reply.text.split())
    assert sms.texts == [reply.text]
    assert "We cook at your home" not in shown.text  # no model text at all


async def test_a_price_quote_worked_out_in_code_is_shown_as_stored(bot):
    rt, _ = bot
    shown = Shown()

    reply = await rt.orchestrator.handle(web("How much for 20 adults?"), on_sentence=shown)

    assert reply.completion.extras.get("answer") == "quote"
    assert shown.text == " ".join(reply.text.split()) and len(shown.sentences) > 1
