"""``bot followups list`` and ``bot followups run [--now] [--dry-run]`` as a user runs them.

A lead is stored first (an SMS enquiry, its lead fields, a planned follow-up);
the ``bot`` subprocess then sends through the fake Twilio server, which this
test's event loop serves while the subprocess runs in a thread.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.sms.testing import FakeTwilio, run_fake_twilio
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database
from memory.followups import FollowUpStore
from memory.leads import LeadBook
from tests.support.cli import bot_env, run_bot

CUSTOMER = "+15551234567"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    async with run_fake_twilio() as fake:
        yield fake


async def seed(url: str) -> int:
    """A lead who texted, with a follow-up due at noon UTC on 15 January 2030."""
    db = Database(url)
    try:
        await db.migrate()
        conversations = ConversationStore(db, ContactDirectory(db))
        recorded = await conversations.record_incoming(
            channel="sms",
            conversation_key=CUSTOMER,
            addresses=[("phone", CUSTOMER)],
            text="How much for 20 guests on June 14? - Dana",
            external_id="SM1",
        )
        assert recorded is not None
        await LeadBook(db).capture(
            recorded.contact_id, {"name": "Dana", "guests": 20, "event_date": "2030-06-14"}
        )
        return await FollowUpStore(db).plan(
            contact_id=recorded.contact_id,
            conversation_id=recorded.conversation_id,
            due_at=datetime(2030, 1, 15, 12, 0, tzinfo=UTC),
            reason="the lead went quiet",
        )
    finally:
        await db.dispose()


def env_for(tmp_path: Path, fake: FakeTwilio) -> dict[str, str]:
    return bot_env(
        tmp_path,
        AI_PROVIDER="function:echo",
        ROUTER_EMBEDDINGS="false",
        BUSINESS_TIME_ZONE="America/New_York",
        QUIET_HOURS="21:00-08:00",
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_FROM_NUMBER="+15550000000",
        TWILIO_PUBLIC_URL="https://bot.example.test",
        TWILIO_API_BASE_URL=fake.url,
    )


async def bot(args: list[str], env: dict[str, str], cwd: Path):
    # In a thread: the fake answers on this test's event loop, which must keep running.
    return await asyncio.to_thread(run_bot, args, env, cwd, timeout=120)


async def test_list_then_dry_run_then_run(tmp_path: Path, fake: FakeTwilio):
    env = env_for(tmp_path, fake)
    followup_id = await seed(env["DATABASE_URL"])

    listed = await bot(["followups", "list"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == (
        f"#{followup_id} contact 1 sms due 2030-01-15 12:00 UTC pending - the lead went quiet"
    )

    # 22:00 in New York: a dry run says it would wait for the morning, and changes nothing.
    dry = await bot(["followups", "run", "--now", "2030-01-16T03:00Z", "--dry-run"], env, tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(f"#{followup_id} contact 1 (sms): would-reschedule - quiet hours")
    again = await bot(["followups", "list", "--status", "pending"], env, tmp_path)
    assert "due 2030-01-15 12:00 UTC pending" in again.stdout
    assert fake.attempts == 0

    # 15:00 in New York: sent through Twilio, and said so.
    sent = await bot(["followups", "run", "--now", "2030-01-15T20:00Z", "--json"], env, tmp_path)
    assert sent.returncode == 0, sent.stderr
    [outcome] = [json.loads(line) for line in sent.stdout.splitlines()]
    assert (outcome["id"], outcome["action"], outcome["reason"]) == (
        followup_id,
        "sent",
        "via function:echo",
    )
    [message] = fake.messages
    assert message["To"] == CUSTOMER and message["Body"] == outcome["text"]
    assert "guests: 20" in message["Body"] and message["Body"].endswith("Reply STOP to opt out.")

    after = await bot(["followups", "list", "--status", "sent"], env, tmp_path)
    assert f"#{followup_id} contact 1 sms" in after.stdout and "sent" in after.stdout


async def test_nothing_due(tmp_path: Path, fake: FakeTwilio):
    env = env_for(tmp_path, fake)
    await seed(env["DATABASE_URL"])

    result = await bot(["followups", "run", "--now", "2030-01-01T12:00Z"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no follow-ups due"
