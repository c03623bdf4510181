"""A follow-up round whose worker dies, under real ``bot worker`` processes on PostgreSQL.

A follow-up is due; worker A takes the round and is killed -9 while its text
is being written (a slow model) or while its SMS is being sent (a slow fake
Twilio). Worker B then takes the round over: the first follow-up is sent
once; the second may have reached the lead, so it is recorded ``unknown`` and
never sent again. Every send is counted at the fake Twilio.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.testing.processes import pipeline_env, start_bot, wait_for
from channels.sms.testing import run_fake_twilio
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database
from memory.followups import FollowUpStore
from tests.support.postgres import database_url

pytestmark = pytest.mark.slow_process

LEAD = "+15550106666"


async def plan_due_followup(db: Database) -> int:
    """A lead who wrote once and went quiet: one follow-up, due five minutes ago."""
    await db.migrate()
    recorded = await ConversationStore(db, ContactDirectory(db)).record_incoming(
        channel="sms",
        conversation_key=LEAD,
        addresses=[("phone", LEAD)],
        text="How much for 20 guests on June 14?",
        external_id="SM-lead",
    )
    assert recorded is not None
    return await FollowUpStore(db).plan(
        contact_id=recorded.contact_id,
        conversation_id=recorded.conversation_id,
        due_at=datetime.now(UTC) - timedelta(minutes=5),
        reason="the lead went quiet",
    )


@pytest.mark.parametrize(("dies_while", "then"), [("writing", "sent"), ("sending", "unknown")])
async def test_a_followup_whose_worker_dies_mid_round_is_sent_once_or_recorded_unknown(
    dies_while: str, then: str, tmp_path: Path
):
    async with database_url("postgresql", tmp_path) as url, run_fake_twilio() as fake:
        db = Database(url)
        try:
            followup_id = await plan_due_followup(db)
            store = FollowUpStore(db)

            async def status() -> str:
                (row,) = [f for f in await store.list() if f.id == followup_id]
                return row.status

            env = pipeline_env(url, fake, tmp_path, FOLLOWUP_INTERVAL_S="1", QUIET_HOURS="")
            if dies_while == "writing":  # the model takes a minute: A dies writing
                first = await start_bot(["worker"], {**env, "SLOW_REPLY_S": "60"}, tmp_path, "a")
            else:  # Twilio takes a minute to answer: A dies waiting for it
                fake.delay_s = 60
                first = await start_bot(["worker"], {**env, "SLOW_REPLY_S": "0"}, tmp_path, "a")
            assert await wait_for(lambda: _is(status, dies_while), 60), first.log.read_text()
            if dies_while == "sending":  # Twilio has it; A waits for Twilio's answer
                assert await wait_for(lambda: fake.messages, 30)
            first.kill()
            fake.delay_s = 0
            second = await start_bot(["worker"], {**env, "SLOW_REPLY_S": "0"}, tmp_path, "b")
            assert await wait_for(lambda: _is(status, then), 60), second.log.read_text()
            await wait_for(lambda: False, 3)  # rounds keep ticking: a second send would show
            second.stop()

            assert [m["To"] for m in fake.messages] == [LEAD]
            assert await status() == then
        finally:
            await db.dispose()


async def _is(status, wanted: str) -> bool:
    return await status() == wanted
