"""Reading booking changes and escalations out of customers' words."""

from __future__ import annotations

from datetime import date

import pytest

from agents.customer_care.booking_changes import find_reference, parse_change
from agents.customer_care.escalation import (
    CANCELLATION,
    CHARGEBACK,
    COMPLAINT,
    REFUND,
    escalation,
    handoff_reason,
)
from memory.booking_records import BookingChange

TODAY = date(2026, 11, 21)  # a Saturday


@pytest.mark.parametrize(
    ("text", "reference", "change"),
    [
        (
            "Can we move HH-1042 to Dec 12 at 6pm and make it 15 guests?",
            "HH-1042",
            BookingChange(date(2026, 12, 12), "18:00", 15),
        ),
        ("please change hh-1042 to 2027-01-09", "HH-1042", BookingChange(date(2027, 1, 9))),
        ("Move my booking to 12/5", None, BookingChange(date(2026, 12, 5))),
        # Without a year, a day already gone this year is next year's.
        ("Could we push it to March 3rd?", None, BookingChange(date(2027, 3, 3))),
        ("we'd like to switch to the 14th of December", None, BookingChange(date(2026, 12, 14))),
        ("Can we change the guest count to 18?", None, BookingChange(guests=18)),
        ("make it a party of twenty", None, BookingChange(guests=20)),
        ("We'll now have 25 people instead", None, BookingChange(guests=25)),
        ("move the start time to 5:30 pm", None, BookingChange(start_time="17:30")),
        ("change it to 19:15 please", None, BookingChange(start_time="19:15")),
        ("reschedule to next Friday", None, BookingChange(date(2026, 11, 27))),
        ("can we move it to tomorrow at noon", None, BookingChange(date(2026, 11, 22), "12:00")),
    ],
)
def test_a_change_request_is_read(text: str, reference: str | None, change: BookingChange):
    asked = parse_change(text, today=TODAY)

    assert asked.is_change
    assert asked.reference == reference
    assert asked.change == change


def test_from_one_date_to_another_names_the_booking_and_the_new_date():
    asked = parse_change("Please move our Dec 5 dinner to Dec 12", today=TODAY)

    assert asked.current_date == date(2026, 12, 5)
    assert asked.change.event_date == date(2026, 12, 12)


@pytest.mark.parametrize(
    "text",
    [
        "Is December 12 still available?",  # a question, not a change
        "What time does the chef arrive?",
        "We are 12 guests, is that ok?",
        "Can we move it?",  # a change with nothing to change to
    ],
)
def test_no_change_is_read_where_none_is_asked(text: str):
    assert not parse_change(text, today=TODAY).is_change


def test_a_reference_s_digits_are_not_a_guest_count_or_a_date():
    asked = parse_change("HH-1042", today=TODAY)

    assert asked.reference == "HH-1042"
    assert asked.change.empty
    assert find_reference("it's booking hh-2201, thanks") == "HH-2201"
    assert find_reference("call 555-0142") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I want a refund for HH-1042", REFUND),
        ("Can I get my money back?", REFUND),
        ("You charged me twice!", REFUND),
        ("I'm going to file a chargeback with my bank", CHARGEBACK),
        ("I will dispute the charge", CHARGEBACK),
        ("We need to cancel our booking", CANCELLATION),
        ("we have to call the party off", CANCELLATION),
        ("The chef was rude and the food was cold", COMPLAINT),
        ("Your chef never showed up", COMPLAINT),
        ("I'd like to make a complaint", COMPLAINT),
        ("What is your refund policy for my booking?", REFUND),  # theirs: a request
    ],
)
def test_what_goes_to_a_person_is_recognised(text: str, kind: str):
    assert escalation(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "We don't want to cancel, just move it to Dec 12",
        "no need to cancel anything",
        "What is your cancellation policy?",  # a policy question: the model answers
        "Can we move HH-1042 to Dec 12?",
        "Everything was amazing, thank you!",
    ],
)
def test_what_stays_with_the_bot_is_not_escalated(text: str):
    assert escalation(text) is None


def test_the_handoff_reason_names_the_booking():
    assert handoff_reason(REFUND, "HH-1042") == "refund request: HH-1042"
    assert handoff_reason(COMPLAINT, None) == "complaint"


@pytest.mark.parametrize(
    ("text", "delta", "result"),
    [
        ("Can we add 5 more guests?", 5, 17),
        ("We'll have 3 extra people", 3, 15),
        ("please add two guests", 2, 14),
        ("There will be 4 fewer guests", -4, 8),
    ],
)
def test_a_relative_guest_count_is_applied_to_the_booking_s(text: str, delta: int, result: int):
    asked = parse_change(text, today=TODAY)

    assert asked.is_change and asked.guests_delta == delta
    assert asked.change.guests is None  # "5 more guests" is not "5 guests"
    assert asked.applied_to(12) == BookingChange(guests=result)


def test_adding_hours_is_not_adding_guests():
    asked = parse_change("Can we add 2 hours to the booking?", today=TODAY)

    assert asked.guests_delta is None and not asked.is_change


def test_a_lone_date_beside_another_change_names_the_booking():
    extra = parse_change("We need to add 6 more guests to our party this Saturday", today=TODAY)
    moved = parse_change("Move it to Saturday and make it 20 guests", today=TODAY)

    assert extra.change.event_date is None and extra.current_date == date(2026, 11, 28)
    assert extra.guests_delta == 6
    assert moved.change == BookingChange(event_date=date(2026, 11, 28), guests=20)


def test_days_of_the_month_by_ordinal():
    asked = parse_change("I need to move my booking from the 12th to the 19th", today=TODAY)

    # The 12th of this month is past: both are next month's.
    assert (asked.current_date, asked.change.event_date) == (date(2026, 12, 12), date(2026, 12, 19))
