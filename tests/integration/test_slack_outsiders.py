"""Slack users who are not the team, in the pinned workspace itself, are customers.

A Slack Connect stranger, a guest, a user of another workspace, and anyone whose
profile users.info could not give (an error, a timeout, no ``users:read``) gets no
bookings, pipeline or costs, and the team's commands are unknown to them; their
ops-thread replies are not relayed, their reactions rate nothing, their Resolve
clicks release nothing. Each test has its teammate control beside it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from agents.operations.agent import REFUSAL
from agents.providers.function import FunctionProvider
from bot.compare.render import BEST_ACTION
from bot.testing.slack_bot import TEAMMATE, SlackBot, running_slack_bot
from channels.base import Address, IncomingMessage
from channels.slack.testing import FakeSlack, run_fake_slack
from channels.slack.testing.inbound import dm_event
from memory.db import Database
from memory.feedback import FeedbackStore
from tests.integration.test_customer_care import ROUTING
from tests.integration.test_feedback_slack import answered, reaction
from tests.integration.test_operations import INTERNAL, QUESTION, seed
from tests.support.routers import ScriptedRouter

OUTSIDER = "U0OUT"
OPS = "C0OPS"
THREAD_TS = "1700000001.000100"
#: The ts the fake gives the first message the bot posts.
SENT_TS = "1700000001.000001"

#: Who the outsider is, as the fake's users.info tells it.
OUTSIDERS: dict[str, Callable[[FakeSlack], None]] = {
    "Slack Connect stranger": lambda f: f.add_user(
        OUTSIDER, name="Eve", team_id="T0OTHER", is_stranger=True
    ),
    "user of another workspace": lambda f: f.add_user(OUTSIDER, name="Eve", team_id="T0OTHER"),
    "multi-channel guest": lambda f: f.add_user(OUTSIDER, name="Eve", is_restricted=True),
    "single-channel guest": lambda f: f.add_user(OUTSIDER, name="Eve", is_ultra_restricted=True),
    "deactivated user": lambda f: f.add_user(OUTSIDER, name="Eve", deleted=True),
    "users.info error": lambda f: f.user_errors.update({OUTSIDER: "fatal_error"}),
    "users.info timeout": lambda f: f.stalled_users.add(OUTSIDER),
    "unknown to users.info": lambda f: None,
    "no users:read scope": lambda f: setattr(f, "missing_scope", True),
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        yield fake


@pytest.fixture
async def bot(
    fake: FakeSlack, database: Database, model: FunctionProvider
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(fake, database, model, slack_ops_channel=OPS, **ROUTING) as bot:
        await seed(bot.runtime)
        bot.runtime.orchestrator.router = ScriptedRouter(default="operations")
        yield bot


@pytest.mark.parametrize("who", OUTSIDERS)
async def test_an_outsider_gets_no_team_data_and_the_team_commands_are_unknown(
    bot: SlackBot, fake: FakeSlack, who: str
):
    OUTSIDERS[who](fake)

    await bot.event(dm_event(QUESTION, user=OUTSIDER, channel="D9", ts="1.000001"))
    commands = [("ask", QUESTION), ("enrich", "Ray Ortiz"), ("bot-release", ""), ("nope", "")]
    acks = {
        name: (await bot.command(f"/{name}", arguments, user_id=OUTSIDER)).text
        for name, arguments in commands
    }
    vote = await bot.click(BEST_ACTION, "1:1", user_id=OUTSIDER)
    (dm,) = await fake.wait_calls("chat.postMessage", within=10)
    answers = await fake.wait_calls("response_url", 5, within=10)
    await bot.settle()

    assert dm["text"] == REFUSAL
    asked, enrich, release, unknown, voted = (a["text"] for a in answers)
    assert asked == REFUSAL and "Working on it" in acks["ask"]
    # Answered and acknowledged exactly as a command that does not exist.
    assert acks["enrich"] == acks["bot-release"] == acks["nope"] == ""
    assert enrich == unknown.replace("/nope", "/enrich")
    assert release == unknown.replace("/nope", "/bot-release")
    assert "/enrich" not in unknown and "/compare" not in unknown  # help lists no team command
    assert vote.status_code == 200 and f"I don't know /{BEST_ACTION}" in voted
    for text in (dm["text"], asked, enrich, release, voted):
        assert not [marker for marker in INTERNAL if marker in text], text
    assert bot.runtime.provider.calls == []  # type: ignore[attr-defined]


async def test_a_teammate_asking_the_same_gets_the_data(bot: SlackBot, fake: FakeSlack):
    await bot.event(dm_event(QUESTION, user=TEAMMATE, ts="1.000001"))

    (dm,) = await fake.wait_calls("chat.postMessage")
    assert "HH-3002" in dm["text"] and "Ray Ortiz" in dm["text"]


async def handed_off_customer(bot: SlackBot) -> int:
    """A Slack customer (DM D9) whose conversation an alert in the ops thread handed off."""
    recorded = await bot.runtime.orchestrator.record(
        IncomingMessage(
            channel="slack",
            sender=Address("slack", "U0CUST"),
            conversation_key="D9",
            text="I need a person",
            external_id="D9:1.000001",
        )
    )
    assert recorded is not None
    await bot.runtime.orchestrator.handoffs.store.mark(
        recorded.conversation_id, reason="asked", ops_thread=f"{OPS}:{THREAD_TS}", silence=True
    )
    return recorded.conversation_id


def thread_reply(user: str, ts: str) -> dict[str, Any]:
    text = "Sure, we can do that at half price"
    return {"type": "message", "channel": OPS, "user": user, "text": text, "ts": ts}


@pytest.mark.parametrize(
    "who", ["Slack Connect stranger", "multi-channel guest", "users.info error"]
)
async def test_an_outsiders_reply_in_an_ops_thread_never_reaches_the_customer(
    bot: SlackBot, fake: FakeSlack, who: str
):
    OUTSIDERS[who](fake)
    await handed_off_customer(bot)
    stored = await bot.messages()

    response = await bot.event({**thread_reply(OUTSIDER, "2.000001"), "thread_ts": THREAD_TS})
    await bot.settle()
    assert response.status_code == 200
    assert await bot.messages() == stored  # not relayed, not stored
    assert fake.posted == []

    await bot.event({**thread_reply(TEAMMATE, "3.000001"), "thread_ts": THREAD_TS})
    (relayed,) = await fake.wait_calls("chat.postMessage")
    assert relayed["channel"] == "D9"  # the teammate's reply does reach the customer


@pytest.mark.parametrize("who", ["Slack Connect stranger", "single-channel guest"])
async def test_resolve_clicked_by_an_outsider_releases_nothing(
    bot: SlackBot, fake: FakeSlack, who: str
):
    OUTSIDERS[who](fake)
    conversation_id = await handed_off_customer(bot)
    desk = bot.runtime.orchestrator.handoffs

    await bot.click("bot-release", str(conversation_id), user_id=OUTSIDER, channel_id=OPS)
    (answer,) = await fake.wait_calls("response_url")
    await bot.settle()
    handed = await desk.store.get(conversation_id)
    assert handed is not None and handed.active
    assert "I don't know /bot-release" in answer["text"]
    assert fake.calls_to("chat.update") == [] and fake.posted == []

    await bot.click("bot-release", str(conversation_id), user_id=TEAMMATE, channel_id=OPS)
    await fake.wait_calls("chat.update")
    handed = await desk.store.get(conversation_id)
    assert handed is not None and not handed.active


@pytest.mark.parametrize("who", ["Slack Connect stranger", "users.info timeout"])
async def test_an_outsiders_thumb_on_a_reply_rates_nothing(
    bot: SlackBot, fake: FakeSlack, who: str
):
    OUTSIDERS[who](fake)
    reply_id = await answered(bot, fake, dm_event(QUESTION, user=TEAMMATE, ts="1.000001"))
    feedback = FeedbackStore(bot.runtime.db)

    await bot.event(reaction(SENT_TS, user=OUTSIDER))
    assert await feedback.ratings(reply_id) == []

    await bot.event(reaction(SENT_TS, user=TEAMMATE))
    assert [r.rater for r in await feedback.ratings(reply_id)] == [f"slack:{TEAMMATE}"]
