"""`EnrichmentStore`: finding or creating the contact to enrich, and keeping its enrichment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database
from memory.enrichment import EnrichmentStore
from memory.enrichment_records import AmbiguousContactError, ContactNotFoundError
from memory.errors import InvalidAddressError
from memory.model_calls import ModelUsage
from memory.models import Contact, ModelCall


@pytest.fixture
def store(database: Database) -> EnrichmentStore:
    return EnrichmentStore(database, ContactDirectory(database))


async def _named(database: Database, name: str) -> int:
    async with database.transaction() as session:
        contact = Contact(display_name=name, facts={})
        session.add(contact)
        await session.flush()
        return contact.id


async def test_an_unknown_email_creates_the_contact_and_finds_it_again(store: EnrichmentStore):
    first = await store.locate(addresses=[("email", "Jane@Acme.com")], name="Jane Doe")
    again = await store.locate(addresses=[("email", "jane@acme.com")])

    assert again.id == first.id
    assert again.name == "Jane Doe"
    assert again.addresses == (("email", "jane@acme.com"),)
    assert again.enrichment is None and again.enriched_at is None


async def test_a_phone_is_stored_in_e164_and_joins_the_existing_contact(
    store: EnrichmentStore, database: Database
):
    directory = store.contacts
    async with database.transaction() as session:
        known = await directory.resolve(session, [("telegram", "77"), ("phone", "+15551234567")])

    record = await store.locate(addresses=[("phone", "(555) 123-4567")])

    assert record.id == known.id
    assert set(record.addresses) == {("telegram", "77"), ("phone", "+15551234567")}


async def test_a_name_finds_its_one_contact_case_insensitively(
    store: EnrichmentStore, database: Database
):
    jane = await _named(database, "Jane Doe")

    record = await store.locate(name="  jane   DOE ")

    assert record.id == jane


async def test_an_unknown_name_creates_a_contact_with_that_name(store: EnrichmentStore):
    record = await store.locate(name="Ada Lovelace")

    assert record.name == "Ada Lovelace"
    assert (await store.locate(name="ada lovelace")).id == record.id


async def test_a_shared_name_is_ambiguous_and_lists_the_contacts(
    store: EnrichmentStore, database: Database
):
    first = await store.locate(addresses=[("email", "jane@acme.com")], name="Jane Doe")
    second = await _named(database, "JANE DOE")

    with pytest.raises(AmbiguousContactError) as caught:
        await store.locate(name="Jane Doe")

    candidates = caught.value.candidates
    assert [c.id for c in candidates] == [first.id, second]
    assert candidates[0].addresses == (("email", "jane@acme.com"),)
    assert candidates[1].addresses == ()


async def test_an_invalid_identity_is_refused(store: EnrichmentStore):
    with pytest.raises(InvalidAddressError):
        await store.locate(addresses=[("email", "not-an-address")])


async def test_history_is_the_contacts_own_recent_words(store: EnrichmentStore, database: Database):
    conversations = ConversationStore(database, store.contacts)
    for number, text in enumerate(("hi", "we plan a team offsite for 40 people")):
        await conversations.record_incoming(
            channel="api",
            conversation_key="api:jane",
            addresses=[("email", "jane@acme.com")],
            text=text,
            external_id=f"m{number}",
        )

    record = await store.locate(addresses=[("email", "jane@acme.com")])

    assert record.history == ("hi", "we plan a team offsite for 40 people")


async def test_save_keeps_the_enrichment_and_logs_the_calls_at_once(
    store: EnrichmentStore, database: Database
):
    record = await store.locate(addresses=[("email", "jane@acme.com")])
    when = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    call = ModelUsage("openai", "gpt-4o-mini", 100, 50, 0.0002, 300.0, role="enrich")

    await store.save(record.id, {"lead_score": 0.5}, enriched_at=when, calls=[call])

    again = await store.by_id(record.id)
    assert again.enrichment == {"lead_score": 0.5}
    assert again.enriched_at == when
    async with database.sessions() as session:
        logged = (await session.scalars(select(ModelCall))).one()
    assert (logged.agent, logged.contact_id, logged.role) == ("/enrich", record.id, "enrich")


async def test_by_id_follows_a_merge_and_refuses_an_unknown_id(
    store: EnrichmentStore, database: Database
):
    kept = await store.locate(addresses=[("email", "jane@acme.com")])
    dropped = await store.locate(addresses=[("phone", "+15551234567")])
    async with database.transaction() as session:
        await store.contacts.link(session, ("email", "jane@acme.com"), ("phone", "+15551234567"))

    assert (await store.by_id(dropped.id)).id == kept.id
    with pytest.raises(ContactNotFoundError):
        await store.by_id(99_999)
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 2


async def test_concurrent_locates_of_one_new_person_make_one_contact(
    store: EnrichmentStore, database: Database
):
    # Workers that meet a new person at once share a write group: the first creates,
    # the others find it (and leave no empty contact behind).
    found = await asyncio.gather(
        *(store.locate(addresses=[("email", "jane@acme.com")], name="Jane") for _ in range(10))
    )

    assert len({record.id for record in found}) == 1
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 1


async def test_one_ambiguous_name_in_a_group_fails_alone(
    store: EnrichmentStore, database: Database
):
    await _named(database, "Sam Lee")
    await _named(database, "sam lee")

    outcomes = await asyncio.gather(
        store.locate(addresses=[("email", "a@acme.com")]),
        store.locate(name="Sam Lee"),
        store.locate(addresses=[("phone", "+15550001111")]),
        return_exceptions=True,
    )

    assert isinstance(outcomes[1], AmbiguousContactError)
    assert [type(o).__name__ for o in (outcomes[0], outcomes[2])] == ["ContactRecord"] * 2


async def test_concurrent_saves_are_all_committed(store: EnrichmentStore, database: Database):
    records = [await store.locate(addresses=[("email", f"p{i}@acme.com")]) for i in range(20)]
    when = datetime(2025, 6, 1, tzinfo=UTC)
    call = ModelUsage("openai", "gpt-4o-mini", 10, 5, 0.00001, 100.0)

    await asyncio.gather(
        *(store.save(r.id, {"n": r.id}, enriched_at=when, calls=[call]) for r in records)
    )

    for record in records:
        assert (await store.by_id(record.id)).enrichment == {"n": record.id}
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ModelCall)) == 20
