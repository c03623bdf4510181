"""The bot with Slack, Telegram and SMS all on, served over HTTP with the three fake
vendors: for corpus tests that post many requests to one running app.

Corpora post dozens of requests; starting the bot for each would take most of
the run, so `AllChannels` is meant for module-scoped fixtures on one database
per kind (`module_database`), and reports what a request changed (`Snapshot`)
rather than absolute counts.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select, text

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.testing.served import http_client, running_runtime
from channels.slack.testing import BOT_TOKEN, FakeSlack, run_fake_slack
from channels.slack.testing.inbound import SIGNING_SECRET
from channels.sms.testing import FakeTwilio, TwilioSigner, run_fake_twilio
from channels.telegram.testing import FakeTelegram, run_fake_telegram
from memory.db import Database
from memory.models import Contact, Identity, Message
from tests.support.postgres import postgres_url

TELEGRAM_SECRET = "s3cret_webhook-token"
PUBLIC_URL = "https://bot.example.test"
FROM_NUMBER = "+15550000000"


@asynccontextmanager
async def module_database(kind: str, directory: Path) -> AsyncIterator[Database]:
    """A migrated database of ``kind`` (``sqlite`` or ``postgresql``), as conftest's fixture."""
    if kind == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{directory / 'bot.db'}")
    else:
        db = Database(postgres_url(), schema=f"test_{uuid.uuid4().hex[:12]}")
    await db.migrate()
    try:
        yield db
    finally:
        if db.dialect == "postgresql":
            async with db.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
        await db.dispose()


@dataclass(frozen=True)
class Snapshot:
    """What is stored and what reached the vendors, at one moment."""

    rows: Mapping[str, int]
    vendor_calls: Mapping[str, int]
    replies: Mapping[str, int]


@dataclass
class AllChannels:
    """The running bot, its HTTP client and the three fake vendors."""

    runtime: Runtime
    http: httpx.AsyncClient
    slack: FakeSlack
    telegram: FakeTelegram
    twilio: FakeTwilio
    signer: TwilioSigner

    async def settle(self) -> None:
        """Wait for the answers in progress."""
        assert await self.runtime.inbox.work.drain(10)

    async def snapshot(self) -> Snapshot:
        """Rows stored (messages, contacts, identities), vendor calls and replies sent."""
        rows = {}
        async with self.runtime.db.sessions() as session:
            for model in (Message, Contact, Identity):
                count = await session.scalar(select(func.count()).select_from(model))
                rows[model.__tablename__] = int(count or 0)
        replies = {
            "slack": len(self.slack.posted)
            + len(self.slack.responses)
            + len(self.slack.calls_to("chat.postEphemeral")),
            "telegram": len(self.telegram.calls_to("sendMessage")),
            "sms": self.twilio.attempts,
        }
        vendor_calls = {
            "slack": len(self.slack.calls),
            "telegram": len(self.telegram.calls),
            "sms": self.twilio.attempts,
        }
        return Snapshot(rows=rows, vendor_calls=vendor_calls, replies=replies)

    async def stored_texts(self) -> list[str]:
        """The text of every incoming message stored, in order."""
        async with self.runtime.db.sessions() as session:
            query = select(Message.text).where(Message.direction == "in").order_by(Message.id)
            return list((await session.scalars(query)).all())


@asynccontextmanager
async def running_all_channels(database: Database, **settings: Any) -> AsyncIterator[AllChannels]:
    """Serve the bot on ``database`` with the three channels pointed at fresh fakes."""
    model = FunctionProvider(lambda messages: f"You said: {messages[-1].content}", model="echo")
    async with (
        run_fake_slack() as slack,
        run_fake_telegram() as telegram,
        run_fake_twilio() as twilio,
    ):
        slack.add_user("U1", name="Jane Doe", email="jane@acme.example")
        async with (
            running_runtime(
                database,
                model,
                slack_bot_token=BOT_TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                slack_api_base_url=slack.api_url,
                telegram_bot_token=telegram.token,
                telegram_webhook_secret=TELEGRAM_SECRET,
                telegram_api_base_url=telegram.url,
                twilio_account_sid=twilio.account_sid,
                twilio_auth_token=twilio.auth_token,
                twilio_from_number=FROM_NUMBER,
                twilio_public_url=PUBLIC_URL,
                twilio_api_base_url=twilio.url,
                **settings,
            ) as runtime,
            http_client(runtime) as http,
        ):
            on = set(runtime.channels.adapters)
            assert on >= {"slack", "telegram", "sms"}, runtime.channels.off
            signer = TwilioSigner(twilio.auth_token, PUBLIC_URL)
            yield AllChannels(runtime, http, slack, telegram, twilio, signer)


def module_bot_fixture(label: str) -> Any:
    """A module-scoped ``bot`` fixture: one `AllChannels` per database kind, for a corpus.

    Use as ``bot = module_bot_fixture("forged")`` in a test module; ``label`` names
    the SQLite database's temporary folder.
    """

    @pytest_asyncio.fixture(
        scope="module",
        loop_scope="module",
        params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    )
    async def bot(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> AsyncIterator[AllChannels]:
        """One app with the three channels, for the whole corpus, per database kind."""
        async with (
            module_database(request.param, tmp_path_factory.mktemp(label)) as db,
            running_all_channels(db) as running,
        ):
            yield running

    return bot
