"""Slack workspace pinning over real HTTP: a signed request of another workspace, org or app
is refused with 403 before anything is stored, looked up or sent.

A valid signature only says the request came from Slack for this app; the app may be
installed in other workspaces too. Each case here is a request Slack itself could sign.
Without ``SLACK_TEAM_ID`` the workspace is the bot token's, from ``auth.test``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from agents.providers.function import FunctionProvider
from bot.compare.render import BEST_ACTION
from bot.testing.slack_bot import FORM, SlackBot, running_slack_bot
from channels.slack.testing import BOT_USER_ID, TEAM_ID, FakeSlack, run_fake_slack
from channels.slack.testing.inbound import (
    APP_ID,
    action_body,
    command_body,
    dm_event,
    event_body,
    mention_event,
)
from memory.db import Database
from memory.models import ReplyFeedback
from tests.support.rows import count_rows

OTHER = "T0OTHER"
OPS = "C0OPS"
#: Where a forged command's answer would go: the fake, which must never be called.
RESPONSE_URL: list[str] = []


def reaction() -> dict[str, Any]:
    item = {"type": "message", "channel": "C1", "ts": "1.000001"}
    return {"type": "reaction_added", "user": "U1", "reaction": "+1", "item": item}


def thread_reply() -> dict[str, Any]:
    return {
        "type": "message",
        "channel": OPS,
        "user": "U1",
        "text": "I'll call you tomorrow",
        "ts": "9.000100",
        "thread_ts": "8.000100",
    }


def event(payload: dict[str, Any], **fields: Any) -> tuple[str, str]:
    return event_body(payload, **fields), "application/json"


def command(name: str, text: str = "", **fields: Any) -> tuple[str, str]:
    return command_body(name, text, response_url=RESPONSE_URL[-1], **fields), FORM


def click(action_id: str, value: str = "1", **fields: Any) -> tuple[str, str]:
    return action_body(action_id, value, response_url=RESPONSE_URL[-1], **fields), FORM


#: Signed requests the pinned bot must refuse: (body, content type), by what is forged.
FORGED: dict[str, Callable[[], tuple[str, str]]] = {
    "DM from another workspace": lambda: event(dm_event("today's bookings?"), team_id=OTHER),
    "mention from another workspace": lambda: event(mention_event("costs?"), team_id=OTHER),
    "reaction from another workspace": lambda: event(reaction(), team_id=OTHER),
    "ops thread reply from another workspace": lambda: event(thread_reply(), team_id=OTHER),
    "event authorized for another workspace": lambda: event(
        dm_event("hi"), authorizations=[{"team_id": OTHER, "user_id": BOT_USER_ID}]
    ),
    "event naming no workspace": lambda: event(dm_event("hi"), team_id=None),
    "event whose team id is no string": lambda: event(dm_event("hi"), team_id=[TEAM_ID]),
    "event of another app": lambda: event(dm_event("hi"), api_app_id="A0OTHER"),
    "/ask from another workspace": lambda: command("/ask", "today's bookings?", team_id=OTHER),
    "/enrich from another workspace": lambda: command("/enrich", "Ray Ortiz", team_id=OTHER),
    "/compare from another workspace": lambda: command("/compare", "hi?", team_id=OTHER),
    "/bot-release from another workspace": lambda: command("/bot-release", team_id=OTHER),
    "/ask naming no workspace": lambda: command("/ask", "pipeline?", team_id=None),
    "/ask of another app": lambda: command("/ask", "costs?", api_app_id="A0OTHER"),
    "Resolve from another workspace": lambda: click("bot-release", team_id=OTHER),
    "Resolve by a user of another workspace": lambda: click("bot-release", user_team_id=OTHER),
    "Resolve naming no workspace": lambda: click("bot-release", team_id=None),
    "Resolve of another app": lambda: click("bot-release", api_app_id="A0OTHER"),
    "compare vote from another workspace": lambda: click(BEST_ACTION, "1:1", team_id=OTHER),
}

#: Requests the Enterprise Grid pin (SLACK_ENTERPRISE_ID) must refuse.
OTHER_ORG: dict[str, Callable[[], tuple[str, str]]] = {
    "event of another org": lambda: event(dm_event("hi"), enterprise_id="E0OTHER"),
    "/ask of another org": lambda: command("/ask", "costs?", enterprise_id="E0OTHER"),
    "Resolve of another org": lambda: click("bot-release", enterprise={"id": "E0OTHER"}),
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        RESPONSE_URL.append(fake.response_url("forged"))
        yield fake


async def assert_refused_and_untouched(bot: SlackBot, body: str, content_type: str) -> None:
    response = await bot.post(body, content_type=content_type)
    await bot.settle()

    assert response.status_code == 403, response.text
    assert "refused" in response.json()["error"]
    assert await bot.messages() == 0  # nothing stored
    assert await count_rows(bot.runtime.db, ReplyFeedback) == 0
    assert bot.fake.calls == []  # nobody looked up, nothing sent, nothing answered


@pytest.mark.parametrize("case", FORGED)
async def test_a_signed_request_of_another_workspace_or_app_is_refused(
    fake: FakeSlack, database: Database, model: FunctionProvider, case: str
):
    pins = {"slack_app_id": APP_ID, "slack_ops_channel": OPS}
    async with running_slack_bot(fake, database, model, **pins) as bot:
        await assert_refused_and_untouched(bot, *FORGED[case]())

    assert model.calls == []


@pytest.mark.parametrize("case", OTHER_ORG)
async def test_on_enterprise_grid_a_request_of_another_org_is_refused(
    fake: FakeSlack, database: Database, model: FunctionProvider, case: str
):
    async with running_slack_bot(fake, database, model, slack_enterprise_id="E0TEST") as bot:
        await assert_refused_and_untouched(bot, *OTHER_ORG[case]())


async def test_the_pinned_workspace_is_served_and_the_url_handshake_needs_none(
    fake: FakeSlack, database: Database, model: FunctionProvider
):
    async with running_slack_bot(fake, database, model, slack_app_id=APP_ID) as bot:
        handshake = await bot.post('{"type": "url_verification", "challenge": "c-123"}')
        served = await bot.event(dm_event("hello"))
        (answer,) = await fake.wait_calls("chat.postMessage")

    assert handshake.status_code == 200 and handshake.json() == {"challenge": "c-123"}
    assert served.status_code == 200
    assert answer["channel"] == "D1"


async def test_without_slack_team_id_the_bot_tokens_workspace_from_auth_test_is_pinned(
    fake: FakeSlack, database: Database, model: FunctionProvider
):
    async with running_slack_bot(fake, database, model, slack_team_id=None) as bot:
        forged = await bot.event(dm_event("today's bookings?"), team_id=OTHER)
        assert forged.status_code == 403
        assert await bot.messages() == 0

        served = await bot.event(dm_event("hello", ts="2.000001"))
        await fake.wait_calls("chat.postMessage")

    assert served.status_code == 200
    assert fake.calls[0].method == "auth.test"  # asked before the first request was read


async def test_while_auth_test_fails_nothing_is_accepted_and_slack_is_asked_to_retry(
    fake: FakeSlack, database: Database, model: FunctionProvider
):
    fake.auth_fails = True
    async with running_slack_bot(fake, database, model, slack_team_id=None) as bot:
        response = await bot.event(dm_event("hello"))
        assert await bot.messages() == 0

    assert response.status_code == 503  # Slack delivers the event again later
    assert [c.method for c in fake.calls] == ["auth.test"]
