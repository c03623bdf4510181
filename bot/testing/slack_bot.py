"""The whole bot with Slack on, served over real HTTP, talking to a `FakeSlack`.

Slack is switched on the way `bot serve` switches it on, from settings
(``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``, ``SLACK_API_BASE_URL``);
tests post signed requests to ``/slack/events`` and read what reached the fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from agents.providers.base import ModelProvider
from bot.runtime import Runtime
from bot.testing.served import http_client, running_runtime
from channels.slack.testing import BOT_TOKEN, TEAM_ID, FakeSlack
from channels.slack.testing.inbound import (
    SIGNING_SECRET,
    action_body,
    command_body,
    event_body,
    signed_headers,
)
from memory.db import Database
from memory.models import Message

FORM = "application/x-www-form-urlencoded"
#: The team member requests come from by default.
TEAMMATE = "U1"


@dataclass
class SlackBot:
    """A running bot (runtime and HTTP client) and the fake Slack it talks to."""

    runtime: Runtime
    http: httpx.AsyncClient
    fake: FakeSlack

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST ``body`` to ``/slack/events``, signed as Slack would sign it."""
        signed = signed_headers(
            body, secret=secret, timestamp=timestamp, content_type=content_type, extra=headers
        )
        return await self.http.post("/slack/events", content=body, headers=signed)

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        **fields: Any,
    ) -> httpx.Response:
        """Deliver one Events API event (a retry carries ``X-Slack-Retry-Num``).

        ``fields`` go to `event_body` (``team_id="T0OTHER"`` names another workspace).
        """
        headers = {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
        return await self.post(
            event_body(event, event_id=event_id, **fields), headers=headers if retry else None
        )

    async def command(self, command: str, text: str = "", **fields: Any) -> httpx.Response:
        """Run a slash command; its answers go to a ``response_url`` on the fake."""
        fields.setdefault("response_url", self.fake.response_url())
        return await self.post(command_body(command, text, **fields), content_type=FORM)

    async def click(self, action_id: str, value: str = "", **fields: Any) -> httpx.Response:
        """Click a button (``block_actions``); the answer goes to a ``response_url``."""
        fields.setdefault("response_url", self.fake.response_url())
        return await self.post(action_body(action_id, value, **fields), content_type=FORM)

    async def messages(self) -> int:
        """How many messages (in and out) the database holds."""
        async with self.runtime.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Message)) or 0)

    async def settle(self) -> None:
        """Wait for the answers in progress to finish."""
        await self.runtime.inbox.work.drain(10)


@asynccontextmanager
async def running_slack_bot(
    fake: FakeSlack, db: Database, provider: ModelProvider, **settings: Any
) -> AsyncIterator[SlackBot]:
    """Start the bot on ``db`` with Slack on (plus any ``settings``) and serve it.

    The test workspace is pinned (``SLACK_TEAM_ID``), and ``U1``, the default
    sender of `channels.slack.testing.inbound`, is a member of it unless the test
    said who ``U1`` is: Slack users are the team only when users.info says so.
    """
    if TEAMMATE not in fake.users:
        fake.add_user(TEAMMATE, name="Sam Teammate")
    options: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": fake.api_url,
        "slack_team_id": TEAM_ID,
        **settings,  # may replace the defaults above
    }
    async with running_runtime(db, provider, **options) as runtime:
        assert "slack" in runtime.channels.adapters, runtime.channels.off
        async with http_client(runtime) as http:
            yield SlackBot(runtime=runtime, http=http, fake=fake)
