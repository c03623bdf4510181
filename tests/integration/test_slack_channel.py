"""`SlackChannel` and `UserProfiles` through slack_sdk, against the fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from channels.base import Address, Card, CardAction, CardField, IncomingMessage, OutgoingMessage
from channels.errors import ChannelSendError
from channels.slack.outbound import SlackChannel, web_client
from channels.slack.testing import BOT_TOKEN, TEAM_ID, FakeSlack, run_fake_slack
from channels.slack.users import Profile, UserProfiles


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        yield fake


@pytest.fixture
def channel(fake: FakeSlack) -> SlackChannel:
    return SlackChannel(web_client(BOT_TOKEN, fake.api_url))


def incoming(**extras: str) -> IncomingMessage:
    return IncomingMessage(
        channel="slack",
        sender=Address("slack", "U1"),
        conversation_key="C1:5.5",
        text="hi",
        extras=dict(extras),
    )


async def test_send_posts_in_the_thread_and_update_edits_in_place(
    channel: SlackChannel, fake: FakeSlack
):
    card = Card(
        "Compare",
        fields=(CardField("gpt", "thinking…"),),
        actions=(CardAction("rank", "Best", "1"),),
    )

    ts = await channel.send("C1:5.5", OutgoingMessage("Asking three models", card=card))
    same = await channel.update("C1:5.5", ts, OutgoingMessage("All answered"))

    (posted,) = fake.calls_to("chat.postMessage")
    assert posted.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert (posted.body["channel"], posted.body["thread_ts"]) == ("C1", "5.5")
    assert posted.body["text"] == "Asking three models"
    assert [b["type"] for b in posted.body["blocks"]] == ["section", "header", "section", "actions"]
    (updated,) = fake.calls_to("chat.update")
    assert same == ts
    assert (updated.body["channel"], updated.body["ts"]) == ("C1", ts)
    assert updated.body["text"] == "All answered"
    assert updated.body["blocks"] == []  # the card is gone, not kept


async def test_private_reply_without_response_url_is_ephemeral(
    channel: SlackChannel, fake: FakeSlack
):
    sent = await channel.reply(incoming(), OutgoingMessage("only you", private=True))

    (ephemeral,) = fake.calls_to("chat.postEphemeral")
    assert sent.startswith("ephemeral:")
    assert ephemeral.body == {"channel": "C1", "user": "U1", "thread_ts": "5.5", "text": "only you"}


async def test_reply_falls_back_to_posting_when_the_response_url_is_refused(
    channel: SlackChannel, fake: FakeSlack
):
    dead_url = f"{fake.url}/nowhere"

    await channel.reply(incoming(response_url=dead_url), OutgoingMessage("still arrives"))

    (posted,) = fake.posted
    assert posted["text"] == "still arrives"


async def test_a_command_answer_is_edited_through_its_response_url(
    channel: SlackChannel, fake: FakeSlack
):
    command = incoming(response_url=fake.response_url("cmd"))

    sent = await channel.reply(command, OutgoingMessage("Asking 3 models…", private=True))
    same = await channel.update(command.conversation_key, sent, OutgoingMessage("1 of 3 in"))

    first, edit = fake.responses
    assert same == sent and sent.startswith("response:")
    assert (first["replace_original"], first["response_type"]) == (False, "ephemeral")
    # The edit replaces the first message and keeps it private, as it was.
    assert (edit["replace_original"], edit["response_type"]) == (True, "ephemeral")
    assert edit["text"] == "1 of 3 in"
    assert fake.calls_to("chat.update") == []


async def test_an_edit_of_a_forgotten_response_is_posted_anew(
    channel: SlackChannel, fake: FakeSlack
):
    await channel.update("C1:5.5", "response:unknown", OutgoingMessage("final"))

    (posted,) = fake.posted
    assert posted["text"] == "final"


async def test_a_refused_send_raises_a_channel_error(channel: SlackChannel):
    with pytest.raises(ChannelSendError, match="channel_not_found"):
        await channel.send("", OutgoingMessage("to nowhere"))


async def test_profiles_are_looked_up_once_per_user(fake: FakeSlack):
    fake.add_user("U1", name="Jane Doe", email="jane@acme.com")
    profiles = UserProfiles(web_client(BOT_TOKEN, fake.api_url))

    first = await profiles.lookup("U1")
    again = await profiles.lookup("U1")
    unknown = await profiles.lookup("U404")

    assert (
        first
        == again
        == Profile(name="Jane Doe", email="jane@acme.com", found=True, team_id=TEAM_ID)
    )
    assert unknown == Profile()
    assert [c.body["user"] for c in fake.calls_to("users.info")] == ["U1", "U404"]
