"""`BookingStore` on SQLite and PostgreSQL: import, lookups, changes and their limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from memory.booking_files import BookingFileError, read_booking_file
from memory.booking_records import (
    BookingChange,
    BookingChangeRefusedError,
    BookingNotFoundError,
)
from memory.bookings import BookingStore
from memory.contacts import ContactDirectory
from memory.db import Database
from memory.models import Booking, Identity

TODAY = date(2026, 11, 21)
SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "sample" / "bookings.yml"


@pytest.fixture
def store(database: Database) -> BookingStore:
    return BookingStore(database, ContactDirectory(database), time_zone="America/New_York")


async def contact_of(database: Database, kind: str, value: str) -> int:
    async with database.sessions() as session:
        contact_id = await session.scalar(
            select(Identity.contact_id).where(Identity.kind == kind, Identity.external_id == value)
        )
    assert contact_id is not None
    return contact_id


async def test_the_sample_file_imports_onto_contacts_by_phone_and_email(
    store: BookingStore, database: Database
):
    records = read_booking_file(SAMPLE, today=TODAY)
    result = await store.import_records(records)

    assert result.created == ["HH-1042", "HH-1043", "HH-1051", "HH-1052"]
    dana = await contact_of(database, "phone", "+14155550101")
    # Her phone and e-mail are one contact, who owns both of her bookings, soonest first.
    assert await contact_of(database, "email", "dana.whitfield@example.com") == dana
    mine = await store.for_contact(dana)
    assert [(b.reference, b.event_date) for b in mine] == [
        ("HH-1042", TODAY + timedelta(days=1)),
        ("HH-1052", TODAY + timedelta(days=30)),
    ]
    assert mine[0].start_time == "18:00" and mine[0].guests == 12
    assert mine[0].contact_name == "Dana Whitfield"

    again = await store.import_records(records)  # importing twice updates, never duplicates
    assert again.created == [] and len(again.updated) == 4
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 4


async def test_a_day_s_bookings_are_listed_by_time(store: BookingStore):
    await store.import_records(read_booking_file(SAMPLE, today=TODAY))

    today = await store.between(TODAY, TODAY)
    both = await store.between(TODAY, TODAY + timedelta(days=1))

    assert [b.reference for b in today] == ["HH-1043"]
    assert [b.reference for b in both] == ["HH-1043", "HH-1042"]


async def test_a_change_is_applied_and_noted(store: BookingStore, database: Database):
    await store.import_records(read_booking_file(SAMPLE, today=TODAY))
    dana = await contact_of(database, "phone", "+14155550101")

    before, after = await store.change(
        "hh-1042",
        BookingChange(event_date=date(2026, 12, 12), guests=15),
        today=TODAY,
        by="customer via sms",
        contact_id=dana,
    )

    assert (before.event_date, before.guests) == (TODAY + timedelta(days=1), 12)
    assert (after.event_date, after.guests, after.start_time) == (date(2026, 12, 12), 15, "18:00")
    stored = await store.by_reference("HH-1042")
    assert stored is not None and stored.event_date == date(2026, 12, 12)
    assert stored.notes is not None
    assert "customer via sms: date 2026-11-22 -> 2026-12-12; guests 12 -> 15" in stored.notes


async def test_someone_else_s_booking_is_not_found(store: BookingStore, database: Database):
    await store.import_records(read_booking_file(SAMPLE, today=TODAY))
    marcus = await contact_of(database, "phone", "+14155550102")

    assert await store.by_reference("HH-1042", contact_id=marcus) is None
    with pytest.raises(BookingNotFoundError):
        await store.change(
            "HH-1042", BookingChange(guests=2), today=TODAY, by="x", contact_id=marcus
        )
    unchanged = await store.by_reference("HH-1042")
    assert unchanged is not None and unchanged.guests == 12


async def test_past_and_cancelled_bookings_and_past_dates_are_refused(store: BookingStore):
    await store.import_records(read_booking_file(SAMPLE, today=TODAY))
    move = BookingChange(event_date=date(2026, 12, 30))

    with pytest.raises(BookingChangeRefusedError, match="in the past"):  # HH-1043 is today...
        await store.change("HH-1043", move, today=TODAY + timedelta(days=1), by="x")
    with pytest.raises(BookingChangeRefusedError, match="in the past"):  # ...to a past date
        await store.change(
            "HH-1042", BookingChange(event_date=TODAY - timedelta(days=1)), today=TODAY, by="x"
        )
    with pytest.raises(BookingChangeRefusedError, match="not possible"):
        await store.change("HH-1042", BookingChange(guests=0), today=TODAY, by="x")

    records = read_booking_file(SAMPLE, today=TODAY)
    await store.import_records([replace(records[0], status="cancelled")])
    with pytest.raises(BookingChangeRefusedError, match="cancelled"):
        await store.change("HH-1042", move, today=TODAY, by="x")


async def test_a_merged_contact_keeps_its_bookings(store: BookingStore, database: Database):
    contacts = ContactDirectory(database)
    async with database.transaction() as session:
        other = await contacts.resolve(session, [("telegram", "777")])
    await store.import_records(read_booking_file(SAMPLE, today=TODAY))
    async with database.transaction() as session:
        # The Telegram contact is older, so it is kept: Dana's contact is merged into it.
        kept = await contacts.link(session, ("telegram", "777"), ("phone", "+14155550101"))
    assert kept.id == other.id

    mine = await store.for_contact(kept.id)
    assert [b.reference for b in mine] == ["HH-1042", "HH-1052"]


def test_a_csv_file_reads_and_a_bad_row_is_named(tmp_path: Path):
    good = tmp_path / "bookings.csv"
    good.write_text(
        "reference,name,phone,event_date,start_time,guests,package\n"
        "hh-2001,Ann Bo,(415) 555-0199,today+2,9:30,10,Classic\n",
        encoding="utf-8",
    )
    [record] = read_booking_file(good, today=TODAY)
    assert (record.reference, record.event_date, record.start_time, record.guests) == (
        "HH-2001",
        TODAY + timedelta(days=2),
        "09:30",
        10,
    )
    assert record.addresses == (("phone", "(415) 555-0199"),)

    bad = tmp_path / "bad.csv"
    bad.write_text("reference,phone,event_date,guests\nHH-2002,+14155550100,someday,4\n")
    with pytest.raises(BookingFileError, match=r"line 2, booking 1 \(HH-2002\): event_date"):
        read_booking_file(bad, today=TODAY)
    nobody = tmp_path / "nobody.yml"
    nobody.write_text("- {reference: HH-2003, event_date: 2026-12-01, guests: 4}\n")
    with pytest.raises(BookingFileError, match="give a phone or an email"):
        read_booking_file(nobody, today=TODAY)
