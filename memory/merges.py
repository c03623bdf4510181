"""Following contact merges: the person a merged contact became, and all who became one.

When two addresses meet, `ContactDirectory` merges one contact into the other
(``merged_into_id``); identities and conversations move, but rows that point
at the dropped contact (bookings, an enrichment, a data export's footprint)
stay. These read through the merges instead.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from memory.models import Contact

#: Merge chains longer than this are cut: a guard against a cycle in bad data.
MAX_MERGE_HOPS = 10
#: At most this many contacts merged into one are followed.
MAX_MERGED = 1000


async def surviving_contact(session: AsyncSession, contact_id: int) -> Contact | None:
    """The contact ``contact_id`` was merged into (itself when it was not); None if none."""
    contact = await session.get(Contact, contact_id)
    for _ in range(MAX_MERGE_HOPS):
        if contact is None or contact.merged_into_id is None:
            break
        contact = await session.get(Contact, contact.merged_into_id)
    return contact


async def merged_contact_ids(session: AsyncSession, contact_id: int) -> list[int]:
    """``contact_id`` and every contact merged into it, however many merges deep."""
    ids = [contact_id]
    frontier = [contact_id]
    while frontier and len(ids) < MAX_MERGED:
        rows = await session.scalars(
            select(Contact.id).where(Contact.merged_into_id.in_(frontier), Contact.id.not_in(ids))
        )
        frontier = list(rows)
        ids += frontier
    return ids
