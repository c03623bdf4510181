"""`EnrichmentStore`: the contacts /enrich works on, and the enrichments kept on them.

/enrich needs, per person, one read (find the contact: its identities,
facts, recent messages and stored enrichment) and one write (the new
enrichment and the model calls that made it). A contact that exists is
read without taking SQLite's write queue; one that does not is created in
two Core statements. Writes that arrive together (a batch's workers) share
one transaction (`memory.write_group`), so a batch of thousands of rows
costs a few statements a row and one commit per burst, not two per row.
How a contact is found or created is `memory.enrichment_contacts`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.contacts import Address, ContactDirectory
from memory.db import Database
from memory.enrichment_contacts import (
    CONTACTS,
    create_contact,
    existing_contact,
    named_contact,
)
from memory.enrichment_records import (
    AmbiguousContactError,
    ContactNotFoundError,
    ContactRecord,
)
from memory.merges import surviving_contact
from memory.model_calls import CallUsage, insert_model_calls
from memory.models import Contact, Message
from memory.write_group import WriteGroup

#: How many of a contact's own recent messages research may read.
HISTORY_LIMIT = 10


@dataclass(frozen=True, slots=True)
class _Find:
    """A locate that needs a write: create the contact, or join identities into one."""

    wanted: list[Address]
    name: str | None
    #: None of ``wanted`` had an owner when last read.
    unknown: bool
    full: bool


@dataclass(frozen=True, slots=True)
class _Save:
    contact_id: int
    enrichment: dict[str, Any]
    enriched_at: datetime
    calls: tuple[CallUsage, ...]
    agent: str


class EnrichmentStore:
    """Finds or creates the contacts to enrich; keeps their enrichments."""

    def __init__(
        self, db: Database, contacts: ContactDirectory, *, history_limit: int = HISTORY_LIMIT
    ) -> None:
        self.db = db
        self.contacts = contacts
        self.history_limit = history_limit
        # Batch workers create and save at about the same time: one commit per burst.
        self._finds: WriteGroup[_Find, ContactRecord] = WriteGroup(db, self._write_finds)
        self._saves: WriteGroup[_Save, None] = WriteGroup(db, self._write_saves)

    async def by_id(self, contact_id: int) -> ContactRecord:
        """The contact with this id (or the one it was merged into)."""
        async with self.db.sessions() as session:
            contact = await surviving_contact(session, contact_id)
            if contact is None:
                raise ContactNotFoundError(f"no contact has the id {contact_id}")
            return await self._record(session, contact)

    async def locate(
        self, *, addresses: Sequence[Address] = (), name: str | None = None, full: bool = True
    ) -> ContactRecord:
        """The contact with these identities, or called ``name``; created if there is none.

        With addresses, the contact that owns them (joined into one if they
        belonged to several) or a new one with them, named ``name`` if it has
        no name yet. With a name alone, the one contact of that name
        (case-insensitive), a new one if none, and `AmbiguousContactError`
        if several. Addresses are normalised (`InvalidAddressError` if one
        cannot be).

        ``full=False`` skips reading the identities and messages of a contact
        that exists (two queries), for callers that may not need them: a
        stored enrichment still fresh needs neither (`complete` reads them).
        """
        wanted = self.contacts.normalise(addresses)
        name = " ".join(name.split()) if name else None
        if not wanted and not name:
            raise ValueError("locate needs an address or a name")
        # A batch re-run finds everyone: read without taking the write queue.
        async with self.db.sessions() as session:
            found, unknown = await existing_contact(session, self.contacts, wanted, name)
            if found is not None:
                return await self._record(session, found, full=full)
        return await self._finds.submit(_Find(wanted, name, unknown, full))

    async def complete(self, record: ContactRecord) -> ContactRecord:
        """``record`` with its identities and recent messages read, if they were not."""
        if record.complete:
            return record
        async with self.db.sessions() as session:
            addresses, history = await self._profile(session, record.id)
        return replace(record, addresses=addresses, history=history, complete=True)

    async def save(
        self,
        contact_id: int,
        enrichment: dict[str, Any],
        *,
        enriched_at: datetime,
        calls: Sequence[CallUsage] = (),
        agent: str = "/enrich",
    ) -> None:
        """Keep ``enrichment`` on the contact and log the model calls behind it, at once.

        Returns once committed. Saves that arrive together (a batch's workers)
        share one transaction: one commit, and one turn of SQLite's write queue,
        for a burst instead of one each.
        """
        await self._saves.submit(_Save(contact_id, enrichment, enriched_at, tuple(calls), agent))

    async def _write_finds(
        self, session: AsyncSession, finds: list[_Find]
    ) -> list[ContactRecord | Exception]:
        results: list[ContactRecord | Exception] = []
        for find in finds:
            try:
                results.append(await self._find(session, find))
            except AmbiguousContactError as exc:  # that caller's answer, not the group's failure
                results.append(exc)
        return results

    async def _find(self, session: AsyncSession, find: _Find) -> ContactRecord:
        wanted, name = find.wanted, find.name
        if not wanted:
            assert name is not None
            # Another worker may have created it since the read.
            named = await named_contact(session, self.contacts, name)
            if named is not None:
                return await self._record(session, named, full=find.full)
        if find.unknown or not wanted:
            created = await create_contact(self.db, session, wanted, name)
            if created is not None:
                return created
        contact = await self.contacts.resolve(session, wanted, display_name=name)
        return await self._record(session, contact, full=find.full)

    async def _write_saves(
        self, session: AsyncSession, saves: list[_Save]
    ) -> list[Exception | None]:
        await session.execute(
            update(CONTACTS)
            .where(CONTACTS.c.id == bindparam("contact"))
            .values(enrichment=bindparam("enrichment"), enriched_at=bindparam("enriched_at")),
            [
                {"contact": s.contact_id, "enrichment": s.enrichment, "enriched_at": s.enriched_at}
                for s in saves
            ],
        )
        for save in saves:
            # The rows `ConversationStore.record_calls` writes, in this transaction.
            await insert_model_calls(
                session, save.calls, agent=save.agent, contact_id=save.contact_id, message_id=None
            )
        return [None] * len(saves)

    async def _record(
        self, session: AsyncSession, contact: Contact, *, full: bool = True
    ) -> ContactRecord:
        addresses, history = await self._profile(session, contact.id) if full else ((), ())
        return ContactRecord(
            id=contact.id,
            name=contact.display_name,
            addresses=addresses,
            facts=dict(contact.facts or {}),
            history=history,
            enrichment=contact.enrichment,
            enriched_at=as_utc(contact.enriched_at),
            complete=full,
        )

    async def _profile(
        self, session: AsyncSession, contact_id: int
    ) -> tuple[tuple[Address, ...], tuple[str, ...]]:
        """A contact's identities, and their own newest messages, oldest first."""
        addresses = tuple(await self.contacts.addresses_of(session, contact_id))
        if self.history_limit <= 0:
            return addresses, ()
        m = Message.__table__.c
        rows = await session.scalars(
            select(m.text)
            .where(m.contact_id == contact_id, m.direction == "in")
            .order_by(m.id.desc())
            .limit(self.history_limit)
        )
        return addresses, tuple(reversed(rows.all()))


def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC time (SQLite hands back naive ones)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
