"""`ContactDirectory`: from identities to one contact, across channels.

Whenever two identities meet (a message carries both, or a person links them
by hand) their contacts become one: the older contact is kept and the other's
identities, conversations, messages and model calls move to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.addresses import normalise
from memory.db import Database
from memory.models import Contact, Conversation, Identity, Message, ModelCall, utcnow

#: An identity as (kind, external id), before or after normalising. The channels'
#: `channels.base.Address` is a NamedTuple of this shape, so it is passed in as it is;
#: memory, the bottom layer, names only the shape (it may not import channels).
Address = tuple[str, str]


# Built once, run with parameters: checked before every send, and building a
# statement per call costs more CPU than its round trip.
_OPTED_OUT_AT = select(Identity.opted_out_at).where(
    Identity.kind == bindparam("kind"), Identity.external_id == bindparam("value")
)


class ContactDirectory:
    """Resolves, links and describes contacts."""

    def __init__(self, db: Database, *, default_region: str = "US") -> None:
        self.db = db
        self.default_region = default_region

    def normalise(self, addresses: Iterable[Address]) -> list[Address]:
        """Normalised, de-duplicated, order kept."""
        seen: dict[Address, None] = {}
        for kind, value in addresses:
            seen[normalise(kind, value, default_region=self.default_region)] = None
        return list(seen)

    async def resolve(
        self,
        session: AsyncSession,
        addresses: Sequence[Address],
        *,
        display_name: str | None = None,
    ) -> Contact:
        """The contact these addresses belong to, created or merged as needed.

        Safe under concurrency: identities are inserted with ON CONFLICT DO
        NOTHING, and read back when one of them was not ours to insert, so two
        workers resolving a new person at once end with one contact.
        """
        wanted = self.normalise(addresses)
        if not wanted:
            raise ValueError("resolve needs at least one address")
        owners = await self._owners(session, wanted)
        created: Contact | None = None
        if owners:
            contact = await self._unify(session, owners)
        else:
            contact = created = Contact(display_name=display_name, facts={})
            session.add(contact)
            await session.flush()
        missing = [a for a in wanted if a not in owners]
        if missing:
            rows = [{"kind": k, "external_id": v, "contact_id": contact.id} for k, v in missing]
            claimed = await session.execute(
                self.db.insert_ignoring_conflicts(Identity)
                .values(rows)
                .returning(Identity.kind, Identity.external_id)
            )
            if len(claimed.all()) == len(missing):
                # All ours (the usual case, a new person): nothing to read back.
                owners.update(dict.fromkeys(missing, contact))
            else:
                # Another worker claimed one of them meanwhile: read back and merge.
                owners = await self._owners(session, wanted)
                contact = await self._unify(session, owners)
        if created is not None and all(c.id != created.id for c in owners.values()):
            # We lost a race to create this person: our empty contact is not needed.
            await session.delete(created)
        if display_name and not contact.display_name:
            contact.display_name = display_name
        return contact

    async def link(self, session: AsyncSession, first: Address, second: Address) -> Contact:
        """Join two identities into one contact (``bot contacts link``)."""
        return await self.resolve(session, [first, second])

    async def addresses_of(self, session: AsyncSession, contact_id: int) -> list[Address]:
        """Every identity of a contact."""
        rows = await session.execute(
            select(Identity.kind, Identity.external_id)
            .where(Identity.contact_id == contact_id)
            .order_by(Identity.id)
        )
        return [(kind, value) for kind, value in rows]

    async def find(self, session: AsyncSession, address: Address) -> Contact | None:
        """The contact with this identity, if any."""
        kind, value = normalise(*address, default_region=self.default_region)
        contact_id = await session.scalar(
            select(Identity.contact_id).where(Identity.kind == kind, Identity.external_id == value)
        )
        return None if contact_id is None else await session.get(Contact, contact_id)

    async def set_opted_out(
        self, address: Address, opted_out: bool, *, asked_at: datetime | None = None
    ) -> bool:
        """Opt ``address`` out of (STOP) or back into (START) messages; False if unknown.

        ``asked_at`` (a START's time) leaves alone an opt-out made after it: a STOP
        applies the moment it is stored, so a START queued before it must not undo it.
        """
        async with self.db.transaction() as session:
            return await self.set_opted_out_in(session, address, opted_out, asked_at=asked_at)

    async def set_opted_out_in(
        self,
        session: AsyncSession,
        address: Address,
        opted_out: bool,
        *,
        asked_at: datetime | None = None,
    ) -> bool:
        """`set_opted_out` in the caller's transaction (the one storing the STOP)."""
        kind, value = normalise(*address, default_region=self.default_region)
        statement = (
            update(Identity)
            .where(Identity.kind == kind, Identity.external_id == value)
            .values(opted_out_at=utcnow() if opted_out else None)
        )
        if asked_at is not None and not opted_out:
            statement = statement.where(
                or_(Identity.opted_out_at.is_(None), Identity.opted_out_at <= asked_at)
            )
        result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def is_opted_out(self, address: Address) -> bool:
        """Whether ``address`` said STOP and has not said START since."""
        kind, value = normalise(*address, default_region=self.default_region)
        async with self.db.reads() as session:
            opted_out_at = await session.scalar(_OPTED_OUT_AT, {"kind": kind, "value": value})
        return opted_out_at is not None

    async def _owners(
        self, session: AsyncSession, addresses: list[Address]
    ) -> dict[Address, Contact]:
        # Selecting the Contact rows too puts them in the session's identity map,
        # so `_unify`'s session.get costs no second query. The map holds its objects
        # weakly: the contacts are returned, not their ids, to keep them alive until then.
        if len(addresses) == 1:  # the usual case, and a cheaper statement to build
            [(kind, value)] = addresses
            match = and_(Identity.kind == kind, Identity.external_id == value)
        else:
            match = tuple_(Identity.kind, Identity.external_id).in_(addresses)
        rows = await session.execute(
            select(Identity.kind, Identity.external_id, Contact)
            .join(Contact, Contact.id == Identity.contact_id)
            .where(match)
        )
        return {(kind, value): contact for kind, value, contact in rows}

    async def _unify(self, session: AsyncSession, owners: dict[Address, Contact]) -> Contact:
        """The oldest of the owning contacts, with the others merged into it."""
        keep_id, *others = sorted({contact.id for contact in owners.values()})
        for other_id in others:
            await self._merge(session, keep_id=keep_id, drop_id=other_id)
        contact = await session.get(Contact, keep_id)
        assert contact is not None
        return contact

    async def _merge(self, session: AsyncSession, *, keep_id: int, drop_id: int) -> None:
        for model in (Identity, Conversation, Message, ModelCall):
            await session.execute(
                update(model).where(model.contact_id == drop_id).values(contact_id=keep_id)
            )
        keep = await session.get(Contact, keep_id)
        drop = await session.get(Contact, drop_id)
        assert keep is not None and drop is not None
        # What the kept contact already knows wins over the merged one.
        keep.facts = {**(drop.facts or {}), **(keep.facts or {})}
        keep.display_name = keep.display_name or drop.display_name
        drop.merged_into_id = keep_id
