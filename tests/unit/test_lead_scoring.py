"""The lead score against the sample business's own notes (prices, service area)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from agents.lead_nurturing.business_terms import BusinessTerms
from agents.lead_nurturing.scoring import score_lead

TODAY = date(2026, 11, 21)
SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "sample"


def terms() -> BusinessTerms:
    return BusinessTerms.from_notes(p.read_text() for p in sorted(SAMPLE.glob("*.md")))


def test_the_terms_come_from_the_notes():
    sample = terms()

    assert sample.service_area == ("San Francisco", "Peninsula", "East Bay", "Marin", "San Jose")
    assert sample.price_per_guest == 60  # the package, not "$3 per guest" for plates
    assert sample.minimum_spend == 600
    assert sample.estimate(5) == 600  # the minimum spend applies
    assert sample.place("SF") == "San Francisco"
    assert sample.in_area("downtown San Jose") and not sample.in_area("Sacramento")


def test_a_complete_lead_scores_high_with_reasons():
    result = score_lead(
        {
            "name": "Dana",
            "event_date": "2027-01-09",
            "guests": 20,
            "budget": 1500,
            "location": "San Jose",
        },
        terms=terms(),
        today=TODAY,
        messages=3,
    )

    assert result.score == 100
    assert "budget $1500 covers the $1200 estimate (+20)" in result.reasons
    assert "San Jose is in the service area (+20)" in result.reasons


def test_missing_and_weak_fields_score_lower():
    sample = terms()
    empty = score_lead({}, terms=sample, today=TODAY)
    far_small = score_lead(
        {"event_date": "2027-10-01", "guests": 6, "budget": 300, "location": "Fresno"},
        terms=sample,
        today=TODAY,
    )
    soon_big = score_lead(
        {"event_date": "2026-12-12", "guests": 30, "location": "SF Marina, San Francisco"},
        terms=sample,
        today=TODAY,
    )

    assert empty.score == 0 and "no event date yet" in empty.reasons
    assert far_small.score == 20 + 15 + 10 + 10
    assert "6 guests, under the minimum spend (+15)" in far_small.reasons
    assert soon_big.score == 30 + 20 + 20
    assert soon_big.score > far_small.score


def test_a_past_event_date_earns_nothing():
    result = score_lead({"event_date": "2026-01-01"}, terms=terms(), today=TODAY)

    assert result.score == 0
    assert "event date has passed" in result.reasons
