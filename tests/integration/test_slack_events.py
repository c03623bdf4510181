"""Slack DMs and @mentions over real HTTP: one reply per message, in the right thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import select

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.testing.slack_bot import SlackBot, running_slack_bot
from channels.slack.testing import BOT_ID, BOT_USER_ID, FakeSlack, run_fake_slack
from channels.slack.testing.inbound import dm_event, mention_event
from memory.db import Database
from memory.models import Identity


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        fake.add_user("U1", name="Jane Doe", email="Jane@Acme.com")
        yield fake


@pytest.fixture
async def bot(
    fake: FakeSlack, database: Database, model: FunctionProvider
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(fake, database, model) as bot:
        yield bot


async def test_a_dm_is_answered_in_the_dm(bot: SlackBot, fake: FakeSlack):
    response = await bot.event(dm_event("What are your **opening hours**?", ts="10.000001"))

    assert response.status_code == 200
    (posted,) = await fake.wait_calls("chat.postMessage")
    assert posted["channel"] == "D1"
    assert "thread_ts" not in posted
    assert posted["text"] == "You said: What are your *opening hours*?"


async def test_a_mention_is_answered_in_its_thread_without_the_mention(
    bot: SlackBot, fake: FakeSlack, model: FunctionProvider
):
    await bot.event(mention_event("do you cater?", channel="C7", ts="20.000001"))
    await bot.event(mention_event("and vegan?", channel="C7", ts="21.000001", thread_ts="19.5"))

    posted = await fake.wait_calls("chat.postMessage", 2)
    # Two threads are two conversations, answered concurrently: either reply may come first.
    by_text = {call["text"]: (call["channel"], call["thread_ts"]) for call in posted}
    assert by_text == {
        "You said: do you cater?": ("C7", "20.000001"),  # a new thread
        "You said: and vegan?": ("C7", "19.5"),  # the existing one
    }
    assert "do you cater?" in [call[-1].content for call in model.calls]


async def test_a_slack_retry_and_a_duplicated_event_produce_one_reply(
    bot: SlackBot, fake: FakeSlack
):
    event = dm_event("hello?", ts="30.000001")

    first = await bot.event(event, event_id="Ev1")
    retry = await bot.event(event, event_id="Ev1", retry=1)
    again = await bot.event(event, event_id="Ev1")

    assert first.status_code == retry.status_code == again.status_code == 200
    await fake.wait_calls("chat.postMessage")
    await bot.settle()
    assert len(fake.posted) == 1
    assert await bot.messages() == 2


async def test_app_mention_and_message_im_for_one_dm_produce_one_reply(
    bot: SlackBot, fake: FakeSlack
):
    text = f"<@{BOT_USER_ID}> can I book for Friday?"
    as_dm = {**dm_event("", ts="40.000001"), "text": text}
    as_mention = {**mention_event("", channel="D1", ts="40.000001"), "text": text}

    await asyncio.gather(bot.event(as_mention, event_id="EvA"), bot.event(as_dm, event_id="EvB"))

    (posted,) = await fake.wait_calls("chat.postMessage")
    await bot.settle()
    assert len(fake.posted) == 1
    assert posted["channel"] == "D1"
    assert posted["text"] == "You said: can I book for Friday?"


@pytest.mark.parametrize(
    "event",
    [
        {**dm_event("I am the bot", ts="50.1"), "user": BOT_USER_ID},
        {**dm_event("beep", ts="50.2"), "bot_id": BOT_ID},
        {**dm_event("another bot", ts="50.3"), "bot_id": "B0OTHER", "subtype": "bot_message"},
        {**dm_event("edited", ts="50.4"), "subtype": "message_changed"},
        {**dm_event("", ts="50.5"), "subtype": "message_deleted"},
        {**dm_event("joined", ts="50.6"), "subtype": "channel_join"},
        {**dm_event("chatter", ts="50.7"), "channel_type": "channel", "channel": "C9"},
        {"type": "reaction_added", "user": "U1", "reaction": "tada", "event_ts": "50.8"},
    ],
    ids=["self", "own-bot-id", "other-bot", "edit", "delete", "join", "channel-chatter", "other"],
)
async def test_bots_edits_and_other_events_are_acked_and_ignored(
    bot: SlackBot, fake: FakeSlack, event: dict
):
    response = await bot.event(event)

    assert response.status_code == 200
    await bot.settle()
    assert fake.posted == []
    assert await bot.messages() == 0


async def test_a_long_answer_is_split_into_messages_slack_accepts(
    fake: FakeSlack, database: Database
):
    paragraph = "Our catering menu has many options for every taste and budget. " * 20
    long_answer = "\n\n".join([paragraph.strip()] * 6)  # about 7,500 characters

    def verbose(_messages: Sequence[ChatMessage]) -> str:
        return long_answer

    async with running_slack_bot(fake, database, FunctionProvider(verbose)) as bot:
        await bot.event(mention_event("tell me everything", channel="C2", ts="60.000001"))

        posted = await fake.wait_calls("chat.postMessage", 3)
        await bot.settle()

    assert len(fake.posted) == 3
    assert all(len(p["text"]) <= 3000 for p in posted)
    assert all(p["thread_ts"] == "60.000001" for p in posted)
    assert " ".join(p["text"] for p in posted).split() == long_answer.split()


async def test_profile_email_links_the_slack_user_to_their_existing_contact(
    bot: SlackBot, fake: FakeSlack
):
    runtime = bot.runtime
    async with runtime.db.transaction() as session:
        known = await runtime.contacts.resolve(session, [("email", "jane@acme.com")])
        known_id = known.id

    await bot.event(dm_event("hi, it's Jane", ts="70.000001"))
    await fake.wait_calls("chat.postMessage")

    async with runtime.db.sessions() as session:
        owners = dict((await session.execute(select(Identity.kind, Identity.contact_id))).all())
        contact = await runtime.contacts.find(session, ("slack", "U1"))
    assert owners == {"email": known_id, "slack": known_id}
    assert contact is not None and contact.display_name == "Jane Doe"


async def test_without_users_read_scope_messages_still_get_answers(bot: SlackBot, fake: FakeSlack):
    fake.missing_scope = True

    await bot.event(dm_event("first", ts="80.000001"))
    await bot.event(dm_event("second", ts="80.000002"))

    await fake.wait_calls("chat.postMessage", 2)
    assert len(fake.calls_to("users.info")) == 1  # asked once, then stopped asking


async def test_an_outbound_429_is_waited_out_and_the_reply_still_arrives(
    bot: SlackBot, fake: FakeSlack
):
    fake.rate_limit("chat.postMessage", retry_after=1)

    await bot.event(dm_event("are you there?", ts="90.000001"))

    (posted,) = await fake.wait_calls("chat.postMessage", within=10)
    refused, accepted = fake.calls_to("chat.postMessage")
    assert refused.status == 429 and accepted.status == 200
    assert accepted.at - refused.at >= 1.0  # Retry-After was honoured
    assert posted["text"] == "You said: are you there?"


async def test_two_workers_receiving_the_same_event_reply_once(
    fake: FakeSlack, database: Database, model: FunctionProvider
):
    # A second process: its own engine on the same database.
    other_db = Database(database.url, schema=database.schema)
    try:
        async with (
            running_slack_bot(fake, database, model) as first,
            running_slack_bot(fake, other_db, model) as second,
        ):
            event = dm_event("one answer please", ts="99.000001")
            responses = await asyncio.gather(
                first.event(event, event_id="EvW"), second.event(event, event_id="EvW", retry=1)
            )

            assert [r.status_code for r in responses] == [200, 200]
            await fake.wait_calls("chat.postMessage")
            await first.settle()
            await second.settle()
            assert len(fake.posted) == 1
            assert await first.messages() == 2
    finally:
        await other_db.dispose()
