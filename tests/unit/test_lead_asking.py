"""What a lead reply asks next, and the faults that make code send the plain question."""

from datetime import date

import pytest

from agents.lead_nurturing.asking import (
    QUESTIONS,
    apologises_for_nothing,
    asks_for,
    date_question,
    echoes,
    fault,
    field_asked,
    next_field,
    opening,
    weekday_check,
)
from agents.lead_nurturing.dates import partial_date

OPENING = "hi, we are planning a party for 20 people next month"


def test_the_date_comes_first_then_guests_then_the_city_then_a_name():
    assert next_field(["name", "location", "guests", "event_date"]) == "event_date"
    assert next_field(["name", "location"]) == "location"
    assert next_field([]) is None


@pytest.mark.parametrize(
    ("reply", "field", "asks"),
    [
        ("Lovely! What date are you planning it for?", "event_date", True),
        ("When is the party?", "event_date", True),
        ("Which city will the party be in?", "location", True),
        ("How many guests are coming?", "guests", True),
        ("We cook on the date you pick.", "event_date", False),  # no question
        ("What type of cake are you having?", "event_date", False),
    ],
)
def test_a_question_about_the_field_is_recognised(reply, field, asks):
    assert asks_for(reply, field) is asks


def test_the_embedded_models_opening_reply_repeats_the_customer_and_apologises():
    # What SmolLM2 answered (issue 16 item 5).
    reply = (
        "I'm so sorry for the confusion. Hi, we're planning a party with 20 people "
        "next month! Can you tell me more about it?"
    )
    assert apologises_for_nothing(reply, OPENING)
    assert fault(reply, OPENING, known={"guests": 20}, ask="event_date") is not None
    assert echoes("Sure: we are planning a party for 20 people next month", OPENING)


def test_a_good_reply_passes_and_one_asking_what_is_known_does_not():
    good = "Sounds fun! What date are you planning the party for?"
    assert fault(good, OPENING, known={"guests": 20}, ask="event_date") is None
    again = "Great! How many guests will there be? And what date?"
    assert fault(again, OPENING, known={"guests": 20}, ask="event_date") == (
        "asks for the guests already known"
    )
    quiet = "Sounds fun, we would love to cook for you."
    assert fault(quiet, OPENING, known={}, ask="event_date") == "does not ask for the event date"
    # Sorry is fine when the customer complains.
    assert not apologises_for_nothing("Sorry about that!", "the quote had the wrong date")


def test_the_opening_built_in_code_thanks_reads_back_and_asks():
    text = opening(
        "planning my mom's 60th birthday in Oakland",
        {"location": "Oakland"},
        QUESTIONS["event_date"],
        first=True,
    )
    assert text == (
        "Thanks for thinking of us for your mom's 60th birthday! Got it: in Oakland. "
        "What date are you planning the party for?"
    )
    later = opening(
        "it's on June 14, about 25 of us",
        {"event_date": "2027-06-14", "guests": 25},
        QUESTIONS["location"],
        first=False,
    )
    assert later == ("Got it: 25 guests on Monday, June 14. Which city will the party be in?")


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("it's on a Saturday in May, about 18 adults", "Which Saturday in May is the date?"),
        ("sometime in june", "Which date in June are you planning the party for?"),
        ("on sat in july", "Which date in July are you planning the party for?"),  # "sat": a word
        ("we may do it on June 14", QUESTIONS["event_date"]),  # a whole date: none to narrow
        ("we may do it", QUESTIONS["event_date"]),
    ],
)
def test_a_date_half_given_is_asked_for_its_day(text, question):
    asked = date_question(partial_date(text))
    assert asked == question
    assert field_asked(asked) == "event_date"


def test_every_question_asks_for_its_own_field():
    assert [field_asked(QUESTIONS[name]) for name in QUESTIONS] == list(QUESTIONS)
    assert field_asked(None) is None and field_asked("Sounds fun!") is None


SUNDAY = date(2027, 7, 11)


@pytest.mark.parametrize(
    ("said", "question"),
    [
        (["hibachi for 12 on Saturday July 11"], "July 11 is a Sunday, not a Saturday"),
        (["May 16", "a Saturday in May, 18 adults"], "is a Sunday, not a Saturday"),
        (["Sunday July 11 please"], None),
        (["July 11"], None),
        (["next Saturday"], None),  # a relative weekday is the date itself
        (["July 11", "we did Saturday June 5 last year"], None),  # a whole date, not a partial
    ],
)
def test_a_weekday_the_date_does_not_fall_on_is_checked(said, question):
    check = weekday_check(SUNDAY, said)
    if question is None:
        assert check is None
    else:
        assert (
            check is not None and question in check and check.endswith("Which date should I note?")
        )
