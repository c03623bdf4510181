"""The handoff desk with the team console on: one implementation behind Slack and /admin.

A console reply takes the Slack relay's path (outbox, stored with its author)
and is echoed in the alert's thread when there is one; with the console on,
a handoff without Slack still silences the bot, and survives its next message.
Recording channels stand in for SMS and for the Slack ops channel.
"""

from __future__ import annotations

import pytest

from agents.routing.base import HUMAN_ROUTE
from bot.handoff.desk import HANDOFF_MESSAGE
from bot.handoff.ops_channel import OpsChannel
from bot.runtime import Runtime
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from tests.support.routers import ScriptedRouter

ALICE = Address("phone", "+15550100001")


def sms(text: str, external_id: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=ALICE,
        conversation_key=ALICE.value,
        text=text,
        external_id=external_id,
        sender_name="Alice",
    )


async def say(runtime: Runtime, message: IncomingMessage) -> None:
    await runtime.inbox.deliver(message)
    assert await runtime.inbox.work.drain(5)


@pytest.fixture
def console(runtime: Runtime) -> Runtime:
    """The runtime with the console on (as ADMIN_API_TOKEN does) and scripted routes."""
    runtime.orchestrator.handoffs.console = True
    runtime.orchestrator.router = ScriptedRouter({"I want a manager": (HUMAN_ROUTE, 0.9)})
    return runtime


async def test_with_the_console_on_a_handoff_without_slack_silences_the_bot(
    console: Runtime, channels: dict[str, RecordingChannel]
):
    await say(console, sms("I want a manager", "SM1"))
    await say(console, sms("Hello??", "SM2"))
    assert channels["sms"].texts == [HANDOFF_MESSAGE]  # told a person comes; then silence
    desk = console.orchestrator.handoffs
    (handed,) = await desk.store.active()
    assert handed.ops_thread is None  # no Slack: only the console shows it

    relayed = await desk.reply(
        handed.conversation_id, "Sam here, how can I help?", author="Sam", author_id="console:s"
    )
    assert relayed.outcome == "sent"
    assert channels["sms"].texts[-1] == "Sam here, how can I help?"
    assert await desk.release(handed.conversation_id, by="Sam (team console)") is not None
    await say(console, sms("Thanks", "SM3"))
    assert channels["sms"].texts[-1] == "You said: Thanks"


async def test_a_console_reply_and_resolve_show_in_the_slack_thread_too(
    console: Runtime, channels: dict[str, RecordingChannel]
):
    ops = RecordingChannel("slack")
    console.orchestrator.ops = OpsChannel(ops, "C-OPS")
    await say(console, sms("I want a manager", "SM1"))
    desk = console.orchestrator.handoffs
    (handed,) = await desk.store.active()
    assert handed.ops_thread is not None

    relayed = await desk.reply(
        handed.conversation_id, "On it!", author="Sam", author_id="console:sam@acme.test"
    )
    assert relayed.outcome == "sent" and channels["sms"].texts[-1] == "On it!"
    note = ops.sent[-1]
    assert note.conversation_key == handed.ops_thread
    assert note.message.text == "Sam (via the console): On it!"

    await desk.release(handed.conversation_id, by="Sam (team console)")
    assert any(s.updated and "resolved by Sam (team console)" in s.message.text for s in ops.sent)
    again = await desk.reply(handed.conversation_id, "late", author="Sam", author_id="console:s")
    assert again.outcome == "released" and channels["sms"].texts[-1] == "On it!"
    unknown = await desk.reply(987654, "hello", author="Sam", author_id="console:s")
    assert unknown.outcome == "unknown"
