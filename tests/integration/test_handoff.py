"""Handoffs through the inbox: who is alerted, when the bot is silent, relays and releases.

The runtime runs on the test database with recording channels: SMS and
Telegram for customers, and a recording "slack" channel as the ops channel.
`ScriptedRouter` makes the routes deterministic.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import pytest
from sqlalchemy import select

from agents.providers.base import HANDOFF, ChatMessage, Completion
from agents.providers.function import FunctionProvider
from agents.routing.base import HUMAN_ROUTE
from bot.handoff.desk import HANDOFF_MESSAGE
from bot.handoff.ops_channel import RELEASE_COMMAND, OpsChannel
from bot.runtime import Runtime
from channels.base import Address, IncomingMessage
from channels.slack.inbound import TEAM_REPLY_COMMAND
from channels.testing import RecordingChannel
from memory.models import Conversation, Message
from tests.support.routers import ScriptedRouter

ALICE = Address("phone", "+15550100001")
CONTACT_LINE = "call or text (415) 555-0142"
TEAMMATE = Address("slack", "U7")


def sms(text: str, external_id: str, *, name: str | None = "Alice") -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=ALICE,
        conversation_key=ALICE.value,
        text=text,
        external_id=external_id,
        sender_name=name,
    )


def team(command: str, arguments: str, key: str, external_id: str) -> IncomingMessage:
    """A team member's command (a thread reply, a Resolve click) as the Slack adapter makes it."""
    return IncomingMessage(
        channel="slack",
        sender=TEAMMATE,
        conversation_key=key,
        text=f"/{command} {arguments}".strip(),
        external_id=external_id,
        sender_name="Sam Chef",
        command=command,
        arguments=arguments,
        extras={"team_member": True},  # a member of the pinned workspace
    )


@pytest.fixture
def ops(runtime: Runtime) -> RecordingChannel:
    """The ops channel, a recording "slack" channel, with scripted routes."""
    channel = RecordingChannel("slack")
    runtime.orchestrator.ops = OpsChannel(channel, "C-OPS")
    runtime.orchestrator.router = ScriptedRouter(
        {"I want a manager": (HUMAN_ROUTE, 0.9), "Can you do 40 guests?": ("lead_nurturing", 0.9)}
    )
    return channel


async def say(runtime: Runtime, message: IncomingMessage) -> None:
    await runtime.inbox.deliver(message)
    assert await runtime.inbox.work.drain(5)


async def conversation(runtime: Runtime) -> Conversation:
    async with runtime.db.sessions() as session:
        return (
            await session.scalars(select(Conversation).where(Conversation.channel == "sms"))
        ).one()


async def test_the_human_route_alerts_the_team_and_silences_the_bot(
    runtime: Runtime,
    channels: dict[str, RecordingChannel],
    ops: RecordingChannel,
    model: FunctionProvider,
):
    await say(runtime, sms("Do you travel to Napa?", "SM1"))
    await say(runtime, sms("I want a manager", "SM2"))
    await say(runtime, sms("Hello??", "SM3"))

    assert channels["sms"].texts == ["You said: Do you travel to Napa?", HANDOFF_MESSAGE]
    assert len(model.calls) == 1  # neither the handoff nor the silenced message asked it
    alert, forwarded = ops.sent
    assert alert.conversation_key == "C-OPS"
    assert (
        alert.message.text
        == "Alice on sms needs a person: asked for a person (scripted for 'I want a manager')"
    )
    card = alert.message.card
    assert card is not None
    fields = {f.label: f.value for f in card.fields}
    assert fields["Identities"] == f"phone:{ALICE.value}"
    assert fields["Channel"] == "sms"
    assert card.sections[0].splitlines() == [
        "Recent messages:",
        "customer: Do you travel to Napa?",
        "bot: You said: Do you travel to Napa?",
        "customer: I want a manager",
    ]
    handed = await conversation(runtime)
    assert [(a.action_id, a.value) for a in card.actions] == [(RELEASE_COMMAND, str(handed.id))]
    assert handed.ops_thread == f"C-OPS:{alert.sent_id}"
    assert forwarded.conversation_key == handed.ops_thread
    assert forwarded.message.text == "Alice: Hello??"
    async with runtime.db.sessions() as session:
        stored = (await session.scalars(select(Message.text).order_by(Message.id))).all()
    assert "Hello??" in stored  # stored, just not answered
    assert stored[-1] == "Hello??"


async def test_an_unsure_hybrid_answer_takes_the_same_path(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    def unsure(prompt: Sequence[ChatMessage]) -> Completion:
        return Completion(
            text="",
            model="student",
            provider="function",
            finish_reason=HANDOFF,
            extras={"handoff_reason": "unsure (confidence 0.21)"},
        )

    runtime.orchestrator.provider = FunctionProvider(unsure)
    await say(runtime, sms("Can you do 40 guests?", "SM1"))
    runtime.orchestrator.provider = FunctionProvider(lambda _m: "never asked")
    await say(runtime, sms("Anyone?", "SM2"))

    assert channels["sms"].texts == [HANDOFF_MESSAGE]
    assert ops.texts[0] == "Alice on sms needs a person: unsure (confidence 0.21)"
    assert ops.texts[1] == "Alice: Anyone?"
    handed = await conversation(runtime)
    assert handed.handed_off_at is not None and handed.handoff_reason == "unsure (confidence 0.21)"
    # The conversation keeps the agent that was serving it, for after the release.
    assert handed.agent == "lead_nurturing"


async def test_a_team_reply_in_the_thread_is_relayed_and_stored_as_a_persons(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    await say(runtime, sms("I want a manager", "SM1"))
    thread = (await conversation(runtime)).ops_thread
    assert thread is not None

    await say(runtime, team(TEAM_REPLY_COMMAND, "Sam here: how can I help?", thread, "C-OPS:9.1"))

    assert channels["sms"].texts == [HANDOFF_MESSAGE, "Sam here: how can I help?"]
    async with runtime.db.sessions() as session:
        out = (
            await session.scalars(
                select(Message).where(Message.direction == "out").order_by(Message.id)
            )
        ).all()
    relayed = out[-1]
    assert (relayed.agent, relayed.channel, relayed.text) == (
        None,
        "sms",
        "Sam here: how can I help?",
    )
    assert relayed.meta == {
        "by": "team",
        "author": "Sam Chef",
        "author_id": "slack:U7",
        "via": "slack",
    }
    assert relayed.external_id == f"out:{channels['sms'].sent[-1].sent_id}"
    assert len(ops.sent) == 1  # nothing said in the thread: the reply went out


async def test_release_by_command_then_the_bot_answers_again(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    console = RecordingChannel("console")
    runtime.orchestrator.outbox.register("console", console)
    await say(runtime, sms("I want a manager", "SM1"))
    handed = await conversation(runtime)

    await say(runtime, replace(team(RELEASE_COMMAND, "", "me", "c1"), channel="console"))
    await say(
        runtime, replace(team(RELEASE_COMMAND, str(handed.id), "me", "c2"), channel="console")
    )
    await say(
        runtime, replace(team(RELEASE_COMMAND, str(handed.id), "me", "c3"), channel="console")
    )
    await say(runtime, sms("Thanks! When do you open?", "SM2"))

    listing, released, again = console.texts
    assert f"{handed.id}: sms, asked for a person" in listing
    assert released == f"Conversation {handed.id} is back with the bot."
    assert again == f"Conversation {handed.id} is not handed off: nothing to release."
    note, resolved = ops.sent[-2:]
    assert note.conversation_key == handed.ops_thread
    assert note.message.text == "Resolved by Sam Chef: the bot answers again."
    assert resolved.updated and resolved.sent_id == (handed.ops_thread or "").split(":")[1]
    assert "resolved by Sam Chef" in resolved.message.text and resolved.message.card is None
    assert channels["sms"].texts[-1] == "You said: Thanks! When do you open?"
    after = await conversation(runtime)
    assert after.handed_off_at is None and after.handoff_reason is not None


async def test_a_reply_in_a_released_thread_is_not_sent(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    await say(runtime, sms("I want a manager", "SM1"))
    handed = await conversation(runtime)
    await say(runtime, team(RELEASE_COMMAND, str(handed.id), "C-OPS", "click-1"))
    await say(
        runtime, team(TEAM_REPLY_COMMAND, "late answer", handed.ops_thread or "", "C-OPS:9.2")
    )
    await say(runtime, team(TEAM_REPLY_COMMAND, "chatter", "C-OPS:123.456", "C-OPS:9.3"))

    assert channels["sms"].texts == [HANDOFF_MESSAGE]
    assert ops.texts[-1] == f"Not sent: conversation {handed.id} is back with the bot."
    assert "chatter" not in " ".join(ops.texts)  # another thread: not ours, nothing said


async def test_customers_may_not_release(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    await say(runtime, sms("I want a manager", "SM1"))
    handed = await conversation(runtime)
    release = replace(sms(f"/{RELEASE_COMMAND} {handed.id}", "SM2"), command=RELEASE_COMMAND)
    await say(runtime, replace(release, arguments=str(handed.id)))

    assert (await conversation(runtime)).handed_off_at is not None
    assert channels["sms"].texts[-1].startswith(f"I don't know /{RELEASE_COMMAND}.")


async def test_without_an_ops_channel_the_customer_is_told_the_truth_and_answered_after(
    runtime: Runtime, channels: dict[str, RecordingChannel]
):
    runtime.orchestrator.router = ScriptedRouter({"I want a manager": (HUMAN_ROUTE, 0.9)})
    runtime.orchestrator.handoffs.contact_line = CONTACT_LINE
    assert runtime.orchestrator.ops is None

    await say(runtime, sms("I want a manager", "SM1"))
    await say(runtime, sms("ok, what is your menu?", "SM2"))

    told, answered = channels["sms"].texts
    assert told != HANDOFF_MESSAGE and "can't bring a member of our team" in told
    assert told.endswith(CONTACT_LINE)
    assert answered == "You said: ok, what is your menu?"
    handed = await conversation(runtime)
    assert handed.handed_off_at is None and handed.ops_thread is None
    assert handed.handoff_reason and "asked for a person" in handed.handoff_reason


async def test_an_alert_that_cannot_be_posted_does_not_silence_the_bot(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    class Down(RecordingChannel):
        async def send(self, conversation_key, message):
            raise ConnectionError("Slack is down")

    runtime.orchestrator.ops = OpsChannel(Down("slack"), "C-OPS")
    await say(runtime, sms("I want a manager", "SM1"))

    assert "can't bring a member of our team" in channels["sms"].texts[0]
    assert (await conversation(runtime)).handed_off_at is None


async def test_a_handoff_no_ops_channel_shows_any_more_is_released(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    await say(runtime, sms("I want a manager", "SM1"))
    runtime.orchestrator.ops = None  # as after a restart without SLACK_OPS_CHANNEL

    await say(runtime, sms("still there?", "SM2"))

    assert channels["sms"].texts == [HANDOFF_MESSAGE, "You said: still there?"]
    assert (await conversation(runtime)).handed_off_at is None


async def test_the_bot_warns_at_start_when_customers_could_not_reach_a_person(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
):
    warned = [r for r in caplog.get_records("setup") if "no ops channel" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING]
    assert "SLACK_OPS_CHANNEL is not set" in warned[0].getMessage()


async def test_a_telegram_customer_gets_the_team_reply_on_telegram(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    customer = IncomingMessage(
        channel="telegram",
        sender=Address("telegram", "4242"),
        conversation_key="4242",
        text="I want a manager",
        external_id="tg-1",
    )
    await say(runtime, customer)
    [alert] = ops.sent
    thread = f"C-OPS:{alert.sent_id}"

    await say(runtime, team(TEAM_REPLY_COMMAND, "Sam here, on it.", thread, "C-OPS:9.4"))

    assert channels["telegram"].texts == [HANDOFF_MESSAGE, "Sam here, on it."]
    assert channels["telegram"].sent[-1].conversation_key == "4242"
    assert channels["sms"].texts == []


async def test_bot_release_typed_in_the_thread_releases_it(
    runtime: Runtime, channels: dict[str, RecordingChannel], ops: RecordingChannel
):
    await say(runtime, sms("I want a manager", "SM1"))
    thread = (await conversation(runtime)).ops_thread or ""

    await say(runtime, team(TEAM_REPLY_COMMAND, "/bot-release", thread, "C-OPS:9.5"))

    assert (await conversation(runtime)).handed_off_at is None
    assert channels["sms"].texts == [HANDOFF_MESSAGE]  # the command is not relayed
