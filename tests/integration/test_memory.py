"""The store on SQLite and PostgreSQL: identities, dedup, cross-channel history."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database, head_revision
from memory.history import history_statement
from memory.model_calls import ModelUsage
from memory.models import Contact, Identity, Message, ModelCall
from tests.support.rows import count_rows


@pytest.fixture
def store(database: Database) -> ConversationStore:
    return ConversationStore(database, ContactDirectory(database))


async def record(
    store: ConversationStore,
    channel: str,
    address: tuple[str, str],
    text: str,
    external_id: str | None = None,
    key: str | None = None,
):
    return await store.record_incoming(
        channel=channel,
        conversation_key=key or f"{channel}:{address[1]}",
        addresses=[address],
        text=text,
        external_id=external_id,
    )


async def count(db: Database, model: type) -> int:
    return await count_rows(db, model)


async def test_redelivered_message_is_stored_once(store: ConversationStore, database: Database):
    first = await record(store, "sms", ("phone", "+15551234567"), "hello", external_id="SM1")
    again = await record(store, "sms", ("phone", "+15551234567"), "hello", external_id="SM1")

    assert first is not None
    assert again is None
    assert await count(database, Message) == 1


async def test_same_external_id_on_two_channels_is_two_messages(store: ConversationStore):
    sms = await record(store, "sms", ("phone", "+15551234567"), "a", external_id="42")
    telegram = await record(store, "telegram", ("telegram", "99"), "b", external_id="42")

    assert sms is not None and telegram is not None
    assert sms.message_id != telegram.message_id


async def test_concurrent_deliveries_of_one_message_store_one(
    store: ConversationStore, database: Database
):
    results = await asyncio.gather(
        *(
            record(store, "sms", ("phone", "+15550000001"), "hi", external_id="SMx")
            for _ in range(5)
        )
    )

    assert sum(r is not None for r in results) == 1
    assert await count(database, Message) == 1
    assert await count(database, Contact) == 1


async def test_phone_numbers_are_normalised_to_e164(store: ConversationStore, database: Database):
    await record(store, "sms", ("phone", "(555) 123-4567"), "one")
    await record(store, "console", ("phone", "+1 555 123 4567"), "two")

    async with database.sessions() as session:
        identities = (await session.execute(select(Identity.kind, Identity.external_id))).all()
    assert identities == [("phone", "+15551234567")]


async def test_history_spans_channels_of_one_phone(store: ConversationStore):
    phone = ("phone", "+15551234567")
    await record(store, "sms", phone, "first, by SMS")
    second = await record(store, "telegram", phone, "second, on Telegram", key="tg-chat-7")

    assert second is not None
    assert [(h.channel, h.text) for h in second.history] == [("sms", "first, by SMS")]


async def test_history_is_newest_n_oldest_first(store: ConversationStore):
    phone = ("phone", "+15557654321")
    for i in range(30):
        recorded = await record(store, "sms", phone, f"message {i}")
    history = await store.history(recorded.contact_id, limit=5)

    assert [h.text for h in history] == [f"message {i}" for i in range(25, 30)]


async def test_an_alias_joins_two_existing_contacts(store: ConversationStore, database: Database):
    sms = await record(store, "sms", ("phone", "+15551112222"), "from my phone")
    telegram = await record(store, "telegram", ("telegram", "777"), "from telegram")
    assert sms.contact_id != telegram.contact_id

    joined = await store.record_incoming(
        channel="telegram",
        conversation_key="telegram:777",
        addresses=[("telegram", "777"), ("phone", "+15551112222")],
        text="here is my number",
        external_id=None,
    )

    assert joined.contact_id == min(sms.contact_id, telegram.contact_id)
    assert [h.text for h in joined.history] == ["from my phone", "from telegram"]
    async with database.sessions() as session:
        owners = set((await session.scalars(select(Identity.contact_id))).all())
    assert owners == {joined.contact_id}


async def test_link_by_hand_merges_history(store: ConversationStore, database: Database):
    await record(store, "sms", ("phone", "+15553334444"), "sms text")
    await record(store, "slack", ("email", "Jane@Acme.com"), "slack text")
    directory = store.contacts

    async with database.transaction() as session:
        contact = await directory.link(session, ("email", "jane@acme.com"), ("phone", "5553334444"))
        addresses = await directory.addresses_of(session, contact.id)

    assert set(addresses) == {("phone", "+15553334444"), ("email", "jane@acme.com")}
    history = await store.history(contact.id)
    assert {h.text for h in history} == {"sms text", "slack text"}


async def test_concurrent_first_messages_of_a_new_person_make_one_contact(
    store: ConversationStore, database: Database
):
    phone = ("phone", "+15559990000")
    await asyncio.gather(*(record(store, "sms", phone, f"msg {i}") for i in range(4)))

    assert await count(database, Message) == 4
    async with database.sessions() as session:
        live = await session.scalar(select(func.count(func.distinct(Message.contact_id))))
    assert live == 1


async def test_reply_and_model_call_are_stored(store: ConversationStore, database: Database):
    incoming = await record(store, "sms", ("phone", "+15551230000"), "price?", external_id="SM9")
    reply_id = await store.record_reply(
        incoming,
        text="$60 per adult",
        agent="lead_nurturing",
        calls=[
            ModelUsage("openai", "gpt-4o-mini", 0, 0, 0.0, 2.0, outcome="rate_limited"),
            ModelUsage("function", "polite", 12, 4, 0.00002, 3.5, cached_input_tokens=8),
        ],
        routing_reason="matched price",
    )

    assert await store.reply_to("sms", "SM9") == "$60 per adult"
    async with database.sessions() as session:
        failed, call = (await session.scalars(select(ModelCall).order_by(ModelCall.id))).all()
        reply = await session.get(Message, reply_id)
    assert (failed.model, failed.outcome, failed.message_id) == (
        "gpt-4o-mini",
        "rate_limited",
        reply_id,
    )
    assert (call.provider, call.model, call.agent) == ("function", "polite", "lead_nurturing")
    assert (call.input_tokens, call.output_tokens, call.outcome) == (12, 4, "ok")
    assert call.cached_input_tokens == 8
    assert call.cost_usd == pytest.approx(0.00002)
    assert call.message_id == reply_id
    assert (reply.direction, reply.reply_to_id) == ("out", incoming.message_id)
    assert reply.meta["model"] == "function:polite"  # the call that served the reply


async def test_migrating_twice_is_harmless(database: Database):
    await database.migrate()
    await database.migrate()
    assert await count(database, Contact) == 0


async def test_history_query_is_served_by_the_contact_index(tmp_path):
    # Checked on SQLite only: PostgreSQL's plan for a tiny table depends on its statistics.
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'plan.db'}")
    await database.migrate()
    store = ConversationStore(database, ContactDirectory(database))
    recorded = await record(store, "sms", ("phone", "+15551239999"), "hi")
    async with database.sessions() as session:
        statement = history_statement(recorded.contact_id, 20, before_id=None)
        compiled = statement.compile(
            dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}
        )
        plan = (await session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))).all()

    await database.dispose()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX ix_messages_contact_id_id" in details
    assert "TEMP B-TREE" not in details  # ordered by the index, no sort step


async def test_processes_starting_together_migrate_once(database: Database, tmp_path):
    # A fresh database shared by several workers that all migrate at start-up.
    url = (
        database.url if database.dialect == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/x.db"
    )
    schema = f"{database.schema}_fresh" if database.schema else None
    workers = [Database(url, schema=schema) for _ in range(3)]
    try:
        await asyncio.gather(*(worker.migrate() for worker in workers))
        async with workers[0].sessions() as session:
            version = (await session.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert version == [(head_revision(),)]
    finally:
        if schema:
            async with workers[0].engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        for worker in workers:
            await worker.dispose()


async def test_migrations_build_exactly_the_models(tmp_path):
    # A model changed without a migration (or the reverse) shows up here, not in production.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from memory.models import Base

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await db.migrate()
    await db.dispose()
    with create_engine(f"sqlite:///{tmp_path / 'm.db'}").connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
