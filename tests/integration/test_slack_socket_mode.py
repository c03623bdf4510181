"""Slack Socket Mode: slack_sdk's WebSocket client against a fake Socket Mode server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.slack.testing import APP_TOKEN, BOT_TOKEN, FakeSlack, run_fake_slack
from channels.slack.testing.inbound import dm_event
from memory.db import Database
from memory.models import Message


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        fake.add_user("U1", name="Sam Teammate")  # on the team of the token's workspace
        yield fake


@pytest.fixture
async def runtime(
    fake: FakeSlack, database: Database, model: FunctionProvider
) -> AsyncIterator[Runtime]:
    settings = load_settings(
        _env_file=None,
        database_url=database.url,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_socket_mode=True,
        slack_api_base_url=fake.api_url,
    )
    runtime = await Runtime.start(settings, provider=model, db=database)
    try:
        await runtime.start_channels()
        yield runtime
    finally:
        await runtime.aclose(drain_seconds=10, keep_database=True)


async def test_socket_mode_acks_a_slash_command_and_answers_it(runtime: Runtime, fake: FakeSlack):
    assert runtime.channels.adapters["slack"].describe() == {"mode": "socket"}
    (opened,) = fake.calls_to("apps.connections.open")
    assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"

    ack = await fake.socket_request(
        "slash_commands",
        {
            "command": "/ask",
            # The sample documents answer it: the test model is asked, not "not sure".
            "text": "do you cook indoors?",
            "user_id": "U5",
            "channel_id": "C5",
            "team_id": "T0TEST",
            "response_url": fake.response_url(),
            "trigger_id": "1.socket",
        },
    )

    assert ack["payload"] == {"text": "Working on it…", "response_type": "ephemeral"}
    # Generous: the first message may load the routing vectors on a busy machine.
    (answer,) = await fake.wait_calls("response_url", within=30)
    assert answer["text"] == "You said: do you cook indoors?"


async def test_socket_mode_events_reach_the_bot(runtime: Runtime, fake: FakeSlack):
    body = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "event_id": "EvSOCK",
        "event": dm_event("hello over the socket", ts="7.000001"),
    }

    ack = await fake.socket_request("events_api", body)

    assert "payload" not in ack
    (posted,) = await fake.wait_calls("chat.postMessage", within=30)
    assert posted["text"] == "You said: hello over the socket"


async def test_socket_mode_refuses_another_workspaces_requests_too(
    runtime: Runtime, fake: FakeSlack
):
    # The token's workspace came from auth.test at start (SLACK_TEAM_ID is not set).
    event = {
        "type": "event_callback",
        "team_id": "T0OTHER",
        "event_id": "EvSOCK2",
        "event": dm_event("today's bookings?", ts="8.000001"),
    }
    command = {
        "command": "/bot-release",
        "user_id": "U1",
        "channel_id": "C5",
        "team_id": "T0OTHER",
        "response_url": fake.response_url(),
        "trigger_id": "2.socket",
    }

    acks = [
        await fake.socket_request("events_api", event),
        await fake.socket_request("slash_commands", command),
    ]
    await runtime.inbox.work.drain(10)

    assert all("payload" not in ack for ack in acks)  # acknowledged, so never re-sent
    assert fake.posted == [] and fake.responses == []
    assert fake.calls_to("users.info") == []
    async with runtime.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
