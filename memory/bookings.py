"""`BookingStore`: the business's bookings, as customer care and operations use them.

Customer care looks a customer's bookings up and changes their date, time or
guest count; operations lists the bookings of a day. Cancellations and
refunds are not here on purpose: they go to a person. The records it reads
and takes, and its errors, are in `memory.booking_records`.

A customer only ever reaches their own bookings: lookups take the contact,
and a contact merged into another still owns what it booked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from memory.booking_outcomes import rate_replies_before_booking
from memory.booking_records import (
    CANCELLED,
    CONFIRMED,
    BookingChange,
    BookingChangeRefusedError,
    BookingNotFoundError,
    BookingRecord,
    BookingView,
    ImportResult,
    business_today,
    check_change,
    normalise_reference,
)
from memory.contacts import ContactDirectory
from memory.db import Database
from memory.merges import merged_contact_ids
from memory.models import Booking, Contact, utcnow


class BookingStore:
    """Reads and changes bookings; imports them from the business's records."""

    def __init__(self, db: Database, contacts: ContactDirectory, *, time_zone: str = "UTC") -> None:
        self.db = db
        self.contacts = contacts
        #: The business's time zone (BUSINESS_TIME_ZONE): what "today" means for a booking.
        self.time_zone = time_zone

    def today(self, now: datetime | None = None) -> date:
        """The business's date now (or at ``now``)."""
        return business_today(now or utcnow(), self.time_zone)

    async def for_contact(
        self, contact_id: int, *, since: date | None = None, confirmed_only: bool = False
    ) -> list[BookingView]:
        """A contact's bookings (also those of contacts merged into it), soonest first.

        ``since`` leaves out bookings before that day.
        """
        async with self.db.sessions() as session:
            owners = await merged_contact_ids(session, contact_id)
            query = (
                select(Booking, Contact.display_name)
                .join(Contact)
                .where(Booking.contact_id.in_(owners))
            )
            if since is not None:
                query = query.where(Booking.event_date >= since)
            if confirmed_only:
                query = query.where(Booking.status == CONFIRMED)
            rows = await session.execute(query.order_by(Booking.event_date, Booking.start_time))
            return [_view(booking, name) for booking, name in rows]

    async def by_reference(
        self, reference: str, *, contact_id: int | None = None
    ) -> BookingView | None:
        """The booking quoted as ``reference``; with ``contact_id``, only if it is theirs."""
        async with self.db.sessions() as session:
            found = await self._find(session, reference, contact_id)
            if found is None:
                return None
            name = await session.scalar(
                select(Contact.display_name).where(Contact.id == found.contact_id)
            )
            return _view(found, name)

    async def between(self, first: date, last: date) -> list[BookingView]:
        """Confirmed bookings from ``first`` to ``last`` (both included), by date and time."""
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(Booking, Contact.display_name)
                .join(Contact)
                .where(
                    Booking.event_date >= first,
                    Booking.event_date <= last,
                    Booking.status == CONFIRMED,
                )
                .order_by(Booking.event_date, Booking.start_time, Booking.reference)
            )
            return [_view(booking, name) for booking, name in rows]

    async def change(
        self,
        reference: str,
        change: BookingChange,
        *,
        today: date,
        by: str,
        contact_id: int | None = None,
    ) -> tuple[BookingView, BookingView]:
        """Apply ``change`` to a confirmed, future booking; the booking before and after.

        ``today`` is the business's date. ``by`` says who asked, for the change
        note appended to the booking's notes. With ``contact_id`` the booking
        must be theirs. Raises `BookingNotFoundError` or `BookingChangeRefusedError`.
        """
        if change.empty:
            raise BookingChangeRefusedError("nothing to change")
        check_change(change, today)
        async with self.db.transaction() as session:
            booking = await self._find(session, reference, contact_id, for_update=True)
            if booking is None:
                raise BookingNotFoundError(f"no booking {normalise_reference(reference)}")
            before = _view(booking, None)
            if booking.status != CONFIRMED:
                raise BookingChangeRefusedError(f"{booking.reference} is {booking.status}")
            if booking.event_date < today:
                raise BookingChangeRefusedError(f"{booking.reference} is in the past")
            moves = []
            if change.event_date is not None and change.event_date != booking.event_date:
                moves.append(f"date {booking.event_date} -> {change.event_date}")
                booking.event_date = change.event_date
            if change.start_time is not None and change.start_time != booking.start_time:
                moves.append(f"time {booking.start_time or '-'} -> {change.start_time}")
                booking.start_time = change.start_time
            if change.guests is not None and change.guests != booking.guests:
                moves.append(f"guests {booking.guests} -> {change.guests}")
                booking.guests = change.guests
            if moves:
                now = utcnow()
                note = f"{now:%Y-%m-%d %H:%M} UTC, {by}: {'; '.join(moves)}"
                booking.notes = f"{booking.notes}\n{note}" if booking.notes else note
                booking.updated_at = now
            return before, _view(booking, None)

    async def import_records(self, records: Sequence[BookingRecord]) -> ImportResult:
        """Create or update bookings by reference, each on its contact (found or created)."""
        result = ImportResult()
        async with self.db.transaction() as session:
            for record in records:
                contact = await self.contacts.resolve(
                    session, list(record.addresses), display_name=record.name
                )
                reference = normalise_reference(record.reference)
                booking = await self._find(session, reference, None, for_update=True)
                created = booking is None
                if booking is None:
                    booking = Booking(reference=reference, created_at=utcnow())
                    session.add(booking)
                    result.created.append(reference)
                else:
                    result.updated.append(reference)
                booking.contact_id = contact.id
                booking.event_date = record.event_date
                booking.start_time = record.start_time
                booking.guests = record.guests
                booking.package = record.package
                booking.location = record.location
                booking.status = record.status
                booking.notes = record.notes
                booking.updated_at = utcnow()
                await session.flush()
                if created and record.status != CANCELLED:
                    # A new booking is the outcome of the lead conversation before it.
                    await rate_replies_before_booking(
                        self.db,
                        session,
                        contact_ids=await merged_contact_ids(session, contact.id),
                        reference=reference,
                    )
        return result

    async def _find(
        self,
        session: AsyncSession,
        reference: str,
        contact_id: int | None,
        *,
        for_update: bool = False,
    ) -> Booking | None:
        query = select(Booking).where(Booking.reference == normalise_reference(reference))
        if contact_id is not None:
            query = query.where(
                Booking.contact_id.in_(await merged_contact_ids(session, contact_id))
            )
        if for_update and self.db.dialect == "postgresql":
            # Two changes of one booking at once: the second reads the first's result.
            query = query.with_for_update()
        return await session.scalar(query)


def _view(booking: Booking, contact_name: str | None) -> BookingView:
    return BookingView(
        reference=booking.reference,
        contact_id=booking.contact_id,
        event_date=booking.event_date,
        guests=booking.guests,
        status=booking.status,
        start_time=booking.start_time,
        package=booking.package,
        location=booking.location,
        notes=booking.notes,
        contact_name=contact_name,
    )
