"""Finding the contact /enrich names, with as few writes as can be.

By addresses: the one contact that owns them all is found by a read alone;
otherwise a write creates it or joins the owners (`ContactDirectory.resolve`).
By name alone: the one live contact of that name, or `AmbiguousContactError`.
`memory.enrichment.EnrichmentStore` calls these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from memory.contacts import Address, ContactDirectory
from memory.db import Database
from memory.enrichment_records import AmbiguousContactError, ContactCandidate, ContactRecord
from memory.models import Contact, Identity, utcnow

#: How many same-named contacts an ambiguity message lists.
CANDIDATE_LIMIT = 10
# Core tables: creating a contact is the hot path of a first batch run.
CONTACTS = Contact.__table__
IDENTITIES = Identity.__table__


async def existing_contact(
    session: AsyncSession, contacts: ContactDirectory, wanted: list[Address], name: str | None
) -> tuple[Contact | None, bool]:
    """The contact a read alone can return, and whether no address is known at all."""
    if not wanted:
        assert name is not None
        return await named_contact(session, contacts, name), False
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


async def create_contact(
    db: Database, session: AsyncSession, wanted: list[Address], name: str | None
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
            db.insert_ignoring_conflicts(IDENTITIES)
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


async def named_contact(
    session: AsyncSession, contacts: ContactDirectory, name: str
) -> Contact | None:
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
        ContactCandidate(c.id, c.display_name, tuple(await contacts.addresses_of(session, c.id)))
        for c in rows
    ]
    raise AmbiguousContactError(name, candidates)


def _matching(addresses: Sequence[Address]) -> Any:
    """A condition matching identities that are any of ``addresses``."""
    return or_(*(and_(Identity.kind == k, Identity.external_id == v) for k, v in addresses))
