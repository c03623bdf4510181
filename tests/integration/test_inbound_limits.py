"""Per-sender inbound limits: a stranger cannot make the bot answer (and pay) without end.

Past the burst or daily limit a message is stored, not answered; the sender
is told once per window and the team alerted once. The counts live in the
database, so two runtimes on one database (two processes) share them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from agents.providers.function import FunctionProvider
from bot.pipeline.inbound_limits import NOTICES
from bot.runtime import Runtime
from bot.settings import Settings
from bot.testing.sms_bot import running_sms_bot
from channels.base import OPT_OUT_COMMAND, Address, IncomingMessage, OutgoingMessage
from channels.testing import RecordingChannel
from memory.db import Database
from memory.models import Alert, InboundLimitHit, Message
from memory.privacy import ContactPrivacy

STRANGER = "+15557654321"
TEAM_TELEGRAM_ID = "4242"


def text(body: str, *, channel: str = "sms", sender: str = STRANGER, **extra) -> IncomingMessage:
    kind = "phone" if channel == "sms" else channel
    return IncomingMessage(
        channel=channel,
        sender=Address(kind, sender),
        conversation_key=sender,
        text=body,
        **extra,
    )


class SecondProcessChannel(RecordingChannel):
    """A recording channel whose sent ids differ from the first runtime's, as a vendor's do."""

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        return "second-" + await super().send(conversation_key, message)


@asynccontextmanager
async def bot(
    settings: Settings,
    db: Database,
    model: FunctionProvider,
    *,
    channel: type[RecordingChannel] = RecordingChannel,
    **limits: object,
) -> AsyncIterator[tuple[Runtime, dict[str, RecordingChannel]]]:
    """A runtime with recording channels and ``limits`` (settings) on ``db``."""
    channels = {name: channel(name) for name in ("sms", "telegram")}
    runtime = await Runtime.start(
        settings.model_copy(update=limits), provider=model, channels=channels, db=db
    )
    try:
        yield runtime, channels
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)


async def send(runtime: Runtime, *messages: IncomingMessage) -> None:
    for message in messages:
        assert (await runtime.inbox.deliver(message)).accepted
    assert await runtime.inbox.work.drain(10)


async def count(db: Database, model: type, *where) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def limit_alerts(db: Database) -> list[Alert]:
    async with db.sessions() as session:
        return list(await session.scalars(select(Alert).where(Alert.kind == "inbound_limit")))


async def age(db: Database, seconds: float) -> None:
    """Move every stored message and limit record ``seconds`` into the past."""
    async with db.transaction() as session:
        for table in (Message, InboundLimitHit):
            rows = (await session.execute(select(table.id, table.created_at))).all()
            for row_id, created_at in rows:  # in Python: SQLite has no timestamp arithmetic
                await session.execute(
                    update(table)
                    .where(table.id == row_id)
                    .values(created_at=created_at - timedelta(seconds=seconds))
                )


async def test_a_stranger_texting_15_times_in_a_burst_gets_10_answers_and_one_notice(
    database: Database, caplog
):
    async with running_sms_bot(database) as sms:  # the defaults: 10 messages per 60 s
        for number in range(15):
            response = await sms.text(f"Question {number}?", sender=STRANGER)
            assert response.status_code == 200
        await sms.settle()
        sent = sms.fake.bodies

    assert sent[:10] == [f"You said: Question {n}?" for n in range(10)]
    assert sent[10:] == [NOTICES["burst"]]  # told once, not five times
    assert all(m["To"] == STRANGER for m in sms.fake.messages)
    assert await count(database, Message, Message.direction == "in") == 15  # nothing lost
    [alert] = await limit_alerts(database)
    assert "more than 10 messages within 60 s" in alert.message
    assert STRANGER not in alert.message and "…4321" in alert.message  # masked
    assert f"alert {alert.key}" in caplog.text  # the alert sinks (log, ops channel) got it
    async with database.sessions() as session:
        unanswered = (
            await session.scalars(
                select(Message.meta).where(Message.direction == "in").order_by(Message.id)
            )
        ).all()
    assert [meta.get("inbound_limit") for meta in unanswered] == [None] * 10 + ["burst"] * 5


async def test_the_burst_window_slides_and_a_later_burst_is_told_again(
    settings: Settings, database: Database, model: FunctionProvider
):
    async with bot(settings, database, model, inbound_burst_limit=2) as (runtime, channels):
        await send(runtime, *(text(f"First {n}") for n in range(4)))
        assert channels["sms"].texts == ["You said: First 0", "You said: First 1", NOTICES["burst"]]

        await age(database, 61)  # the window has passed
        await send(runtime, *(text(f"Second {n}") for n in range(3)))

    assert channels["sms"].texts[3:] == [
        "You said: Second 0",
        "You said: Second 1",
        NOTICES["burst"],
    ]
    assert len(await limit_alerts(database)) == 1  # the team: once per sender and day


async def test_the_daily_cap_stops_answers_until_the_next_utc_day(
    settings: Settings, database: Database, model: FunctionProvider
):
    limits = {"inbound_daily_limit": 3, "inbound_burst_limit": 0}
    async with bot(settings, database, model, **limits) as (runtime, channels):
        await send(runtime, *(text(f"Morning {n}") for n in range(5)))
        await age(database, 3600)  # later the same day, or just after midnight: see below
        await send(runtime, text("Evening"))
        answered_today = list(channels["sms"].texts)

        await age(database, 86_400)  # a day later, the count starts again
        await send(runtime, text("Tomorrow"))

    # Five then one more: three answered, one notice; "Evening" is answered only if the
    # hour moved the morning into yesterday (a test run just after midnight UTC).
    assert answered_today[:4] == [*(f"You said: Morning {n}" for n in range(3)), NOTICES["daily"]]
    assert answered_today[4:] in ([], ["You said: Evening"])
    assert channels["sms"].texts[-1] == "You said: Tomorrow"
    [alert] = await limit_alerts(database)
    assert "more than 3 messages today" in alert.message


async def test_two_runtimes_on_one_database_share_the_limit(
    settings: Settings, database: Database, model: FunctionProvider
):
    # A second engine on the same database stands for a second process.
    other_db = Database(database.url, schema=database.schema)
    try:
        async with (
            bot(settings, database, model) as (first, first_channels),
            bot(settings, other_db, model, channel=SecondProcessChannel) as (
                second,
                second_channels,
            ),
        ):
            for number in range(10):  # taking turns: ten answered between them
                await send((first, second)[number % 2], text(f"Turn {number}"))
            # Then five at once on both: each is past the limit; one process wins the notice.
            await asyncio.gather(
                *(send((first, second)[number % 2], text(f"Rush {number}")) for number in range(5))
            )
    finally:
        await other_db.dispose()

    sent = first_channels["sms"].texts + second_channels["sms"].texts
    assert sorted(sent) == sorted([*(f"You said: Turn {n}" for n in range(10)), NOTICES["burst"]])
    assert await count(database, Message, Message.direction == "in") == 15
    assert await count(database, InboundLimitHit) == 1
    assert len(await limit_alerts(database)) == 1


async def test_team_members_and_stop_are_never_limited(
    settings: Settings, database: Database, model: FunctionProvider
):
    team = settings.model_copy(update={"team_telegram_ids": TEAM_TELEGRAM_ID})
    async with bot(team, database, model, inbound_burst_limit=2) as (runtime, channels):
        await send(
            runtime,
            *(text(f"Team {n}", channel="telegram", sender=TEAM_TELEGRAM_ID) for n in range(5)),
        )
        await send(runtime, *(text(f"Spam {n}") for n in range(4)))
        await send(runtime, text("STOP", command=OPT_OUT_COMMAND))

        opted_out = not await runtime.inbox.may_send(Address("phone", STRANGER))

    assert channels["telegram"].texts == [f"You said: Team {n}" for n in range(5)]
    assert channels["sms"].texts[:3] == ["You said: Spam 0", "You said: Spam 1", NOTICES["burst"]]
    assert opted_out  # STOP past the limit still opts out
    assert len(await limit_alerts(database)) == 1


@pytest.mark.parametrize("limits", [{"inbound_burst_limit": 0, "inbound_daily_limit": 0}])
async def test_limits_set_to_zero_are_off(
    settings: Settings, database: Database, model: FunctionProvider, limits: dict
):
    async with bot(settings, database, model, **limits) as (runtime, channels):
        await send(runtime, *(text(f"Hello {n}") for n in range(12)))

    assert len(channels["sms"].texts) == 12
    assert await limit_alerts(database) == []


async def test_deleting_a_limited_sender_deletes_their_limit_records(
    settings: Settings, database: Database, model: FunctionProvider
):
    async with bot(settings, database, model, inbound_burst_limit=1) as (runtime, _channels):
        await send(runtime, text("One"), text("Two"))
        async with database.sessions() as session:
            contact = await runtime.contacts.find(session, ("phone", STRANGER))

    assert contact is not None
    counts = await ContactPrivacy(database).delete(contact.id)

    assert counts["inbound_limit_hits"] == 1
    assert await count(database, InboundLimitHit) == 0
