"""Thumbs up or down on the bot's Slack replies rate them, over real HTTP with the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from sqlalchemy import select

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.testing.slack_bot import SlackBot, running_slack_bot
from channels.slack.testing import BOT_USER_ID, FakeSlack, run_fake_slack
from channels.slack.testing.inbound import dm_event, event_body, mention_event
from memory.db import Database
from memory.feedback import FeedbackStore
from memory.models import Message, ReplyFeedback
from tests.support.rows import count_rows


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        fake.add_user("U1", name="Jane Doe", email="jane@acme.com")
        for teammate in ("U2", "U3", "U4", "U5"):  # the raters: team members
            fake.add_user(teammate, name=f"Teammate {teammate}")
        yield fake


@pytest.fixture
async def bot(
    fake: FakeSlack, database: Database, model: FunctionProvider
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(fake, database, model) as bot:
        yield bot


def reaction(
    ts: str,
    *,
    name: str = "+1",
    user: str = "U2",
    channel: str = "D1",
    removed: bool = False,
    item_user: str | None = BOT_USER_ID,
) -> dict[str, Any]:
    """A ``reaction_added`` (or ``reaction_removed``) event on the message ``channel``/``ts``."""
    event: dict[str, Any] = {
        "type": "reaction_removed" if removed else "reaction_added",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1800000000.000100",
    }
    if item_user is not None:
        event["item_user"] = item_user
    return event


async def answered(bot: SlackBot, fake: FakeSlack, event: dict[str, Any], parts: int = 1) -> int:
    """Deliver ``event`` and return the id of the bot's stored reply, once it is sent."""
    await bot.event(event)
    await fake.wait_calls("chat.postMessage", parts)
    await bot.settle()
    async with bot.runtime.db.sessions() as session:
        reply_id = await session.scalar(
            select(Message.id).where(Message.direction == "out").order_by(Message.id.desc())
        )
    assert reply_id is not None
    return reply_id


async def thumbs(bot: SlackBot, message_id: int) -> list[tuple[str, str, int]]:
    ratings = await FeedbackStore(bot.runtime.db).ratings(message_id)
    return [(r.rater, r.kind, r.rating) for r in ratings]


async def test_a_thumb_on_a_reply_rates_it_and_removing_it_unrates_it(
    bot: SlackBot, fake: FakeSlack
):
    reply_id = await answered(bot, fake, dm_event("do you cater?", ts="10.000001"))
    ts = await sent_ts(bot, reply_id)

    added = await bot.event(reaction(ts, name="thumbsup"))

    assert added.status_code == 200
    assert await thumbs(bot, reply_id) == [("slack:U2", "thumb", 1)]

    # Changing one's mind (a skin-toned thumbs down) replaces the rating.
    await bot.event(reaction(ts, name="-1::skin-tone-3"))
    assert await thumbs(bot, reply_id) == [("slack:U2", "thumb", -1)]

    # Taking back the thumbs up they no longer have keeps the thumbs down...
    await bot.event(reaction(ts, name="+1", removed=True))
    assert await thumbs(bot, reply_id) == [("slack:U2", "thumb", -1)]
    # ...taking back the thumbs down removes it; a Slack retry of that changes nothing.
    removal = reaction(ts, name="thumbsdown", removed=True)
    await bot.event(removal, event_id="EvR")
    await bot.event(removal, event_id="EvR", retry=1)
    assert await thumbs(bot, reply_id) == []
    assert await count_rows(bot.runtime.db, ReplyFeedback) == 0
    assert len(fake.posted) == 1  # reactions are never answered


async def test_a_thumb_on_any_part_of_a_split_reply_rates_the_reply(
    fake: FakeSlack, database: Database
):
    paragraph = "Our catering menu has many options for every taste and budget. " * 20
    long_answer = "\n\n".join([paragraph.strip()] * 6)  # about 7,500 characters: 3 messages

    def verbose(_messages: Sequence[ChatMessage]) -> str:
        return long_answer

    async with running_slack_bot(fake, database, FunctionProvider(verbose)) as bot:
        reply_id = await answered(
            bot, fake, mention_event("tell me all", channel="C2", ts="60.000001"), parts=3
        )
        async with database.sessions() as session:
            meta = await session.scalar(select(Message.meta).where(Message.id == reply_id))
        first, second, third = meta["sent_ids"]

        await bot.event(reaction(third, channel="C2", user="U3"))
        await bot.event(reaction(first, channel="C2", user="U4", name="thumbsdown"))
        # The same ts in another channel is another message.
        await bot.event(reaction(second, channel="C9", user="U5"))

        assert await thumbs(bot, reply_id) == [("slack:U3", "thumb", 1), ("slack:U4", "thumb", -1)]


@pytest.mark.parametrize(
    "case",
    ["person's message", "other emoji", "unknown ts", "bot's own reaction", "no item"],
)
async def test_reactions_on_other_messages_or_with_other_emoji_store_nothing(
    bot: SlackBot, fake: FakeSlack, case: str
):
    reply_id = await answered(bot, fake, dm_event("hello", ts="20.000001"))
    ts = await sent_ts(bot, reply_id)
    event = {
        # The person's own DM message: its author is the person, not the bot.
        "person's message": reaction("20.000001", item_user="U1"),
        "other emoji": reaction(ts, name="tada"),
        # No item_user (Slack leaves it out at times): the database decides.
        "unknown ts": reaction("1999999999.000001", item_user=None),
        "bot's own reaction": reaction(ts, user=BOT_USER_ID),
        "no item": {"type": "reaction_added", "user": "U2", "reaction": "+1", "event_ts": "1.1"},
    }[case]

    response = await bot.event(event)

    assert response.status_code == 200
    assert await count_rows(bot.runtime.db, ReplyFeedback) == 0
    assert len(fake.posted) == 1


async def test_an_unsigned_or_badly_signed_reaction_is_refused(bot: SlackBot, fake: FakeSlack):
    reply_id = await answered(bot, fake, dm_event("hello", ts="30.000001"))
    body = event_body(reaction(await sent_ts(bot, reply_id)))

    forged = await bot.post(body, secret="not-the-signing-secret")
    unsigned = await bot.http.post(
        "/slack/events", content=body, headers={"content-type": "application/json"}
    )

    assert forged.status_code == unsigned.status_code == 401
    assert await count_rows(bot.runtime.db, ReplyFeedback) == 0


async def sent_ts(bot: SlackBot, message_id: int) -> str:
    """The Slack ``ts`` the bot stored for its reply when it sent it (``out:<ts>``)."""
    async with bot.runtime.db.sessions() as session:
        external_id = await session.scalar(
            select(Message.external_id).where(Message.id == message_id)
        )
    assert external_id is not None and external_id.startswith("out:")
    return external_id.removeprefix("out:")
