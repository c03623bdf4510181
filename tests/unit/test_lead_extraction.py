"""Lead fields out of customer messages: names, dates, guests, budget, place, time zone."""

from __future__ import annotations

from datetime import date

import pytest

from agents.lead_nurturing.dates import extract_date
from agents.lead_nurturing.extraction import (
    extract_budget,
    extract_guests,
    extract_lead,
    extract_location,
    extract_name,
    extract_time_zone,
)

#: A Saturday.
TODAY = date(2026, 11, 21)
AREA = ("San Francisco", "Peninsula", "East Bay", "Marin", "San Jose", "SF", "SJ", "EB")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can you do June 14?", date(2027, 6, 14)),  # passed this year: next year's
        ("on Dec 3rd please", date(2026, 12, 3)),
        ("the 5th of December", date(2026, 12, 5)),
        ("March 7, 2027 works", date(2027, 3, 7)),
        ("2027-03-05 for a birthday", date(2027, 3, 5)),
        ("14/6 at our place", date(2027, 6, 14)),  # day first: 14 is no month
        ("6/14 at our place", date(2027, 6, 14)),
        ("12/24/2026", date(2026, 12, 24)),
        ("next Saturday", date(2026, 11, 28)),  # today is a Saturday: the one after
        ("this Friday?", date(2026, 11, 27)),
        ("we may do Saturday", date(2026, 11, 28)),  # "may", not May
        ("tomorrow evening", date(2026, 11, 22)),
        ("in 2 weeks", date(2026, 12, 5)),
        ("in a month", date(2026, 12, 21)),
    ],
)
def test_dates_resolve_against_today(text: str, expected: date):
    assert extract_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "How much is it per person?",
        "about 1/2 the guests are kids",
        "$6/14 each",
        "Feb 30",
        # A weekday in a later month or season names no day yet: not the coming one.
        "about 30 people, a Tuesday in March",
        "a Saturday next month",
        "a Saturday in May",
        "sometime in the fall, on a saturday",
    ],
)
def test_no_date_is_made_up(text: str):
    assert extract_date(text, today=TODAY) is None


def test_day_first_reads_ambiguous_numeric_dates_the_european_way():
    assert extract_date("5/6", today=TODAY) == date(2027, 5, 6)
    assert extract_date("5/6", today=TODAY, day_first=True) == date(2027, 6, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 guests", 20),
        ("a party of 12", 12),
        ("15 adults and 5 kids", 20),
        ("about 25 ppl", 25),
        ("twenty people", 20),
        ("for 8 of us", 8),
        ("team lunch for 40 employees", 40),
        ("guest count: 35", 35),
        ("for 2 hours", None),
        ("What's the price for 2027?", None),
        ("a 10 by 10 feet space", None),
    ],
)
def test_guest_counts(text: str, expected: int | None):
    assert extract_guests(text) == expected


@pytest.mark.parametrize(
    ("text", "guests", "expected"),
    [
        ("our budget is $1,500", None, 1500),
        ("budget 2k", None, 2000),
        ("around 1200 dollars", None, 1200),
        ("about $40 a head", 12, 480),
        ("about $40 a head", None, None),  # per head without a guest count: unknown
        ("we have 20 guests", 20, None),
    ],
)
def test_budgets(text: str, guests: int | None, expected: int | None):
    assert extract_budget(text, guests=guests) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, I'm Dana. How much?", "Dana"),
        ("my name is jane lee", "Jane Lee"),
        ("This is Carlos from Acme", "Carlos"),
        ("tomorrow for 8 of us -Mike", "Mike"),
        ("I'm looking for prices", None),
        ("I'm in Oakland", None),
        ("im interested", None),
    ],
)
def test_names(text: str, expected: str | None):
    assert extract_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("party in the East Bay", "East Bay"),
        ("we're in SF", "SF"),
        ("a backyard in Oakland", "Oakland"),
        ("in Walnut Creek next month", "Walnut Creek"),
        ("in June", None),
        ("sf is great", None),  # initials count in capitals only
    ],
)
def test_locations(text: str, expected: str | None):
    assert extract_location(text, service_area=AREA) == expected


def test_time_zone_hints():
    assert extract_time_zone("I'm on Eastern time") == "America/New_York"
    assert extract_time_zone("call after 5 PST") == "America/Los_Angeles"
    assert extract_time_zone("et cetera") is None


def test_a_whole_enquiry():
    found = extract_lead(
        "Hi, I'm Dana! Hibachi for 20 guests on June 14 in San Jose, budget $1,500. Pacific time.",
        today=TODAY,
        service_area=AREA,
    )

    assert found.known() == {
        "name": "Dana",
        "event_date": "2027-06-14",
        "guests": 20,
        "budget": 1500,
        "location": "San Jose",
    }
    assert found.time_zone == "America/Los_Angeles"


def test_a_question_without_lead_fields_gives_nothing():
    assert extract_lead("Do you cook indoors?", today=TODAY, service_area=AREA).known() == {}
