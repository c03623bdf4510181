"""Low router confidence: one clarifying question on a customer channel, then a person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.handoff.clarify import CLARIFY_AGENT, CLARIFYING_QUESTION, Clarifier
from bot.handoff.desk import HANDOFF_MESSAGE
from bot.handoff.ops_channel import OpsChannel
from bot.runtime import Runtime
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.models import Conversation, Message, ModelCall
from tests.support.routers import ScriptedRouter

UNCLEAR = ("knowledge", 0.2)
ROUTES = {
    "hmm so about that thing": UNCLEAR,
    "the thing from before": UNCLEAR,
    "a new booking": ("lead_nurturing", 0.8),
}


def message(text: str, external_id: str, *, channel: str = "sms", sender: str = "+15550100002"):
    kind = "phone" if channel == "sms" else channel
    return IncomingMessage(
        channel=channel,
        sender=Address(kind, sender),
        conversation_key=sender,
        text=text,
        external_id=external_id,
    )


@pytest.fixture
def routed(runtime: Runtime) -> RecordingChannel:
    """Scripted routes, ROUTER_MIN_CONFIDENCE 0.45, and an ops channel; returns the ops channel."""
    runtime.orchestrator.router = ScriptedRouter(ROUTES)
    runtime.orchestrator.clarifier = Clarifier(0.45)
    ops = RecordingChannel("slack")
    runtime.orchestrator.ops = OpsChannel(ops, "C-OPS")
    return ops


async def say(runtime: Runtime, incoming: IncomingMessage) -> None:
    await runtime.inbox.deliver(incoming)
    assert await runtime.inbox.work.drain(5)


async def test_an_unclear_sms_is_asked_about_once_then_answered_when_clear(
    runtime: Runtime, channels: dict[str, RecordingChannel], routed: RecordingChannel
):
    await say(runtime, message("hmm so about that thing", "SM1"))
    await say(runtime, message("a new booking", "SM2"))

    assert channels["sms"].texts == [CLARIFYING_QUESTION, "You said: a new booking"]
    async with runtime.db.sessions() as session:
        question = (
            await session.scalars(select(Message).where(Message.text == CLARIFYING_QUESTION))
        ).one()
        calls = (await session.scalars(select(ModelCall))).all()
        served_by = await session.scalar(select(Conversation.agent))
    assert question.agent == CLARIFY_AGENT and question.meta["model"] == "bot:clarify"
    assert "low confidence 0.20" in question.meta["clarify"]
    assert len(calls) == 1  # the clarifying question cost no model call
    assert served_by == "lead_nurturing"  # the question did not take the conversation
    assert routed.sent == []


async def test_two_unclear_messages_in_a_row_go_to_a_person(
    runtime: Runtime, channels: dict[str, RecordingChannel], routed: RecordingChannel
):
    await say(runtime, message("hmm so about that thing", "SM1"))
    await say(runtime, message("the thing from before", "SM2"))

    assert channels["sms"].texts == [CLARIFYING_QUESTION, HANDOFF_MESSAGE]
    [alert] = routed.texts
    assert "still unclear after a clarifying question (confidence 0.20)" in alert
    async with runtime.db.sessions() as session:
        handed_off_at = await session.scalar(select(Conversation.handed_off_at))
    assert handed_off_at is not None


async def test_a_customer_on_telegram_is_asked_but_a_team_member_gets_the_best_guess(
    runtime: Runtime, channels: dict[str, RecordingChannel], routed: RecordingChannel
):
    runtime.orchestrator.team = type(runtime.orchestrator.team)(frozenset({"42"}))

    await say(runtime, message("hmm so about that thing", "tg-1", channel="telegram", sender="7"))
    await say(runtime, message("hmm so about that thing", "tg-2", channel="telegram", sender="42"))

    assert channels["telegram"].texts == [CLARIFYING_QUESTION, "You said: hmm so about that thing"]


async def test_without_a_minimum_confidence_nothing_is_asked(
    runtime: Runtime, channels: dict[str, RecordingChannel], routed: RecordingChannel
):
    runtime.orchestrator.clarifier = Clarifier(0.0)  # the test settings' ROUTER_MIN_CONFIDENCE

    await say(runtime, message("hmm so about that thing", "SM1"))

    assert channels["sms"].texts == ["You said: hmm so about that thing"]
