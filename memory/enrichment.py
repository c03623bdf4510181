"""`EnrichmentStore`: the contacts /enrich works on, and the enrichments kept on them.

/enrich needs, per person, one read (find the contact: its identities,
facts, recent messages and stored enrichment) and one write (the new
enrichment and the model calls that made it). A contact that exists is
read without taking SQLite's write queue; one that does not is created in
two Core statements. Writes that arrive together (a batch's workers) share
one transaction (`memory.write_group`), so a batch of thousands of rows
costs a few statements a row and one commit per burst, not two per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.contacts import Address, ContactDirectory
from memory.db import Database
from memory.enrichment_records import (
    AmbiguousContactError,
    ContactCandidate,
    ContactNotFoundError,
    ContactRecord,
)
from memory.merges import surviving_contact
from memory.model_calls import CallUsage, insert_model_calls
from memory.models import Contact, Identity, Message, utcnow
from memory.write_group import WriteGroup

#: How many of a contact's own recent messages research may read.
HISTORY_LIMIT = 10
#: How many same-named contacts an ambiguity message lists.
CANDIDATE_LIMIT = 10
# Core tables: creating a contact is the hot path of a first batch run.
CONTACTS = Contact.__table__
IDENTITIES = Identity.__table__


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
            found, unknown = await self._existing(session, wanted, name)
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
            named = await self._named(session, name)
            if named is not None:
                return await self._record(session, named, full=find.full)
        if find.unknown or not wanted:
            created = await self._create(session, wanted, name)
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

    async def _existing(
        self, session: AsyncSession, wanted: list[Address], name: str | None
    ) -> tuple[Contact | None, bool]:
        """The contact a read alone can return, and whether no address is known at all."""
        if not wanted:
            assert name is not None
            return await self._named(session, name), False
        rows = (
            await session.execute(
                select(Identity.contact_id, Contact)
                .join(Contact, Contact.id == Identity.contact_id)
                .where(_matching(wanted))
            )
        ).all()
        owners = {contact_id: contact for contact_id, contact in rows}
        if len(owners) != 1 or len(rows) != len(wanted):
            return None, not rows  # new identities to add, or contacts to join: a write
        contact = next(iter(owners.values()))
        if name and not contact.display_name:
            return None, False  # the name is to be filled in: a write
        return contact, False

    async def _create(
        self, session: AsyncSession, wanted: list[Address], name: str | None
    ) -> ContactRecord | None:
        """A new contact with these identities; None if another worker claimed one meanwhile.

        The common case of a first batch run, in two statements of Core
        (`ContactDirectory.resolve`, for the general case, takes about three times as many).
        """
        now = utcnow()
        contact_id = await session.scalar(
            insert(CONTACTS)
            .values(display_name=name, facts={}, created_at=now)
            .returning(CONTACTS.c.id)
        )
        assert contact_id is not None
        if wanted:
            # ON CONFLICT DO NOTHING RETURNING returns the rows inserted: fewer means
            # another worker holds one of the identities.
            inserted = await session.scalars(
                self.db.insert_ignoring_conflicts(IDENTITIES)
                .values(
                    [
                        {"kind": k, "external_id": v, "contact_id": contact_id, "created_at": now}
                        for k, v in wanted
                    ]
                )
                .returning(IDENTITIES.c.id)
            )
            claimed = len(inserted.all())
            if claimed != len(wanted):
                if not claimed:  # another worker has them all: our contact is not needed
                    await session.execute(delete(CONTACTS).where(CONTACTS.c.id == contact_id))
                return None  # the caller joins what is there (our new contact included)
        return ContactRecord(id=contact_id, name=name, addresses=tuple(wanted))

    async def _named(self, session: AsyncSession, name: str) -> Contact | None:
        """The one live contact called ``name``; None if none; ambiguous if several."""
        rows = (
            await session.scalars(
                select(Contact)
                .where(
                    func.lower(Contact.display_name) == name.lower(),
                    Contact.merged_into_id.is_(None),
                )
                .order_by(Contact.id)
                .limit(CANDIDATE_LIMIT)
            )
        ).all()
        if len(rows) <= 1:
            return rows[0] if rows else None
        candidates = [
            ContactCandidate(
                c.id, c.display_name, tuple(await self.contacts.addresses_of(session, c.id))
            )
            for c in rows
        ]
        raise AmbiguousContactError(name, candidates)

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


def _matching(addresses: Sequence[Address]) -> Any:
    """A condition matching identities that are any of ``addresses``."""
    return or_(*(and_(Identity.kind == k, Identity.external_id == v) for k, v in addresses))


def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC time (SQLite hands back naive ones)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
