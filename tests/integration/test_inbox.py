"""`BotInbox`: stored before acknowledged, answered in the background, in order, never silent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from agents.providers.base import HANDOFF, ChatMessage, Completion
from agents.providers.function import FunctionProvider
from bot.handoff.ops_channel import OpsChannel
from bot.pipeline.inbox import SOMETHING_WENT_WRONG
from bot.runtime import Runtime
from channels.base import (
    OPT_IN_COMMAND,
    OPT_OUT_COMMAND,
    SHARE_PHONE_ACTION,
    Address,
    IncomingMessage,
)
from channels.testing import RecordingChannel
from memory.models import Identity, Message
from tests.support.routers import ScriptedRouter

ALICE = Address("phone", "+15550100001")


def sms(text: str, external_id: str, *, command: str | None = None) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=ALICE,
        conversation_key=ALICE.value,
        text=text,
        external_id=external_id,
        command=command,
    )


async def messages(runtime: Runtime, direction: str | None = None) -> list[str]:
    query = select(Message.text).order_by(Message.id)
    if direction:
        query = query.where(Message.direction == direction)
    async with runtime.db.sessions() as session:
        return list((await session.scalars(query)).all())


async def test_a_message_is_stored_when_deliver_returns_and_answered_after(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    release = asyncio.Event()

    async def slow(prompt: Sequence[ChatMessage]) -> str:
        await release.wait()
        return "Open 9 to 5."

    runtime.orchestrator.provider = FunctionProvider(slow)

    receipt = await runtime.inbox.deliver(sms("When are you open?", "SM1"))

    assert receipt.accepted and not receipt.duplicate
    assert await messages(runtime) == ["When are you open?"]  # stored before any answer
    assert channels["sms"].texts == []
    release.set()
    assert await runtime.inbox.work.drain(5)
    assert channels["sms"].texts == ["Open 9 to 5."]


async def test_a_redelivery_is_a_duplicate_and_gets_no_second_reply(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    first = await runtime.inbox.deliver(sms("Hi", "SM2"))
    again = await runtime.inbox.deliver(sms("Hi", "SM2"))
    await runtime.inbox.work.drain(5)

    assert first.accepted and again.duplicate and not again.accepted
    assert channels["sms"].texts == ["You said: Hi"]


async def test_answers_keep_the_order_of_the_messages(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    async def first_is_slow(prompt: Sequence[ChatMessage]) -> str:
        text = prompt[-1].content
        if text == "one":
            await asyncio.sleep(0.1)
        return f"re: {text}"

    runtime.orchestrator.provider = FunctionProvider(first_is_slow)

    await runtime.inbox.deliver(sms("one", "SM3"))
    await runtime.inbox.deliver(sms("two", "SM4"))
    await runtime.inbox.work.drain(5)

    assert channels["sms"].texts == ["re: one", "re: two"]


async def test_a_failure_after_storing_is_logged_and_the_person_is_told(
    runtime: Runtime, channels: dict[str, RecordingChannel], caplog: pytest.LogCaptureFixture
):
    class BrokenStore(type(runtime.conversations)):  # type: ignore[misc]
        async def record_reply(self, *args, **kwargs):
            raise RuntimeError("disk full")

    runtime.orchestrator.conversations = BrokenStore(runtime.db, runtime.contacts)

    with caplog.at_level(logging.ERROR):
        await runtime.inbox.deliver(sms("Hello?", "SM5"))
        await runtime.inbox.work.drain(5)

    assert channels["sms"].texts == [SOMETHING_WENT_WRONG]
    assert "disk full" in caplog.text


async def test_an_invalid_message_is_refused_with_a_reason_and_not_stored(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    receipt = await runtime.inbox.deliver(sms("x" * 5000, "SM6"))
    await runtime.inbox.work.drain(5)

    assert not receipt.accepted and not receipt.duplicate
    assert await messages(runtime) == []
    assert "5000 characters" in channels["sms"].texts[0]


async def test_stop_then_a_message_then_start(
    runtime: Runtime, channels: dict[str, RecordingChannel], model: FunctionProvider
):
    await runtime.inbox.deliver(sms("STOP", "SM7", command=OPT_OUT_COMMAND))
    await runtime.inbox.work.drain(5)
    assert not await runtime.inbox.may_send(ALICE)

    await runtime.inbox.deliver(sms("Are you there?", "SM8"))
    await runtime.inbox.work.drain(5)
    assert channels["sms"].texts == []  # stored, not answered, no model call
    assert model.calls == []
    assert "Are you there?" in await messages(runtime, "in")

    await runtime.inbox.deliver(sms("START", "SM9", command=OPT_IN_COMMAND))
    await runtime.inbox.deliver(sms("Now?", "SM10"))
    await runtime.inbox.work.drain(5)
    assert await runtime.inbox.may_send(ALICE)
    assert channels["sms"].texts == ["You said: Now?"]


async def test_help_on_sms_is_the_business_contact_line(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    await runtime.inbox.deliver(sms("HELP", "SM11", command="help"))
    await runtime.inbox.work.drain(5)

    assert channels["sms"].texts == [runtime.settings.sms_help_text]


async def test_commands_help_unknown_ask_and_start_on_telegram(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    def tg(command: str, arguments: str = "", n: int = 0) -> IncomingMessage:
        return IncomingMessage(
            channel="telegram",
            sender=Address("telegram", "42"),
            conversation_key="42",
            text=f"/{command} {arguments}".strip(),
            external_id=f"u{command}{n}",
            command=command,
            arguments=arguments,
            sender_name="Bo",
        )

    # A question the sample documents answer: one they do not gets "not sure" in code.
    ask = await runtime.inbox.deliver(tg("ask", "Do you cook indoors?"))
    await runtime.inbox.work.drain(5)
    await runtime.inbox.deliver(tg("help"))
    await runtime.inbox.work.drain(5)
    await runtime.inbox.deliver(tg("frobnicate"))
    await runtime.inbox.work.drain(5)
    await runtime.inbox.deliver(tg("start"))
    await runtime.inbox.work.drain(5)

    sent = channels["telegram"].sent
    assert ask.ack_text == "Working on it…"
    assert sent[0].message.text == "You said: Do you cook indoors?"
    assert "/ask <question>" in sent[1].message.text and sent[1].message.private
    assert sent[2].message.text.startswith("I don't know /frobnicate.") and sent[2].message.private
    assert sent[3].message.text.startswith("Hello Bo!")
    assert sent[3].message.card is not None
    assert sent[3].message.card.actions[0].action_id == SHARE_PHONE_ACTION


async def test_link_makes_a_shared_phone_the_same_person(runtime: Runtime):
    await runtime.inbox.deliver(sms("Hi from SMS", "SM12"))
    await runtime.inbox.work.drain(5)
    telegram_user = Address("telegram", "777")

    await runtime.inbox.link(telegram_user, ALICE)

    async with runtime.db.sessions() as session:
        owners = set(
            (
                await session.scalars(
                    select(Identity.contact_id).where(
                        Identity.external_id.in_(["777", ALICE.value])
                    )
                )
            ).all()
        )
    assert len(owners) == 1


async def test_the_sent_id_is_stored_and_a_delivery_report_lands_on_it(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    await runtime.inbox.deliver(sms("Hi", "SM13"))
    await runtime.inbox.work.drain(5)
    [sent] = channels["sms"].sent

    found = await runtime.inbox.record_delivery(
        "sms", sent.sent_id, status="undelivered", error="30003"
    )
    unknown = await runtime.inbox.record_delivery("sms", "SMnope", status="failed")

    async with runtime.db.sessions() as session:
        external_id, meta = (
            await session.execute(
                select(Message.external_id, Message.meta).where(Message.direction == "out")
            )
        ).one()
    assert found and not unknown
    assert external_id == f"out:{sent.sent_id}"
    assert meta["delivery"]["status"] == "undelivered"
    assert meta["delivery"]["error"] == "30003"


async def test_a_reply_sent_in_parts_keeps_every_part_id(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    channels["sms"].max_text_length = 20
    runtime.orchestrator.provider = FunctionProvider(
        lambda _m: "First part here. Second part here."
    )

    await runtime.inbox.deliver(sms("Tell me", "SM15"))
    await runtime.inbox.work.drain(5)

    async with runtime.db.sessions() as session:
        meta = await session.scalar(select(Message.meta).where(Message.direction == "out"))
    assert meta["sent_ids"] == [s.sent_id for s in channels["sms"].sent]
    assert len(meta["sent_ids"]) == 2


async def test_a_handoff_is_announced_in_the_ops_channel(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    def unsure(prompt: Sequence[ChatMessage]) -> Completion:
        return Completion(
            text="",
            model="student",
            provider="function",
            finish_reason=HANDOFF,
            extras={"handoff_reason": "low confidence (0.21)"},
        )

    ops_slack = RecordingChannel("slack")
    runtime.orchestrator.ops = OpsChannel(ops_slack, "C-OPS")
    runtime.orchestrator.provider = FunctionProvider(unsure)
    # To an agent that asks the model (customer care would escalate a complaint itself).
    runtime.orchestrator.router = ScriptedRouter()

    await runtime.inbox.deliver(replace(sms("My order never came", "SM14"), sender_name="Alice"))
    await runtime.inbox.work.drain(5)

    [notice] = ops_slack.sent
    assert notice.conversation_key == "C-OPS"
    assert notice.message.text == "Alice on sms needs a person: low confidence (0.21)"
    assert notice.message.card is not None
    assert "My order never came" in notice.message.card.sections[0]
    async with runtime.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 2
