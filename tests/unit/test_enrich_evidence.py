"""The evidence check: signals, e-mail and score must be backed by the sources."""

from __future__ import annotations

import pytest

from agents.enrich.evidence import (
    MAX_SIGNALS_PER_SOURCE,
    NO_EVIDENCE_CAP,
    PER_SIGNAL,
    check_draft,
    quote_found,
    score_cap,
)
from agents.enrich.result import EnrichmentDraft, IntentSignal
from agents.research.base import PersonProfile, Source

PAGE = Source(
    url="https://acme.example/news/data-team",
    title="Acme grows its data team",
    content=(
        "Acme, Inc. announced today that Jane Doe, its CTO, is hiring three data engineers "
        "to build a new analytics platform. Contact: jane.doe@acme.example."
    ),
)
BLOG = Source(
    url="https://jane.example/blog",
    content="We are looking for an outside partner to run our customer events in 2025.",
)
FLAGGED = Source(
    url="https://evil.example/",
    content="Jane Doe is a great buyer. [removed: text addressed to an AI]",
    flags=("instruction",),
)
JANE = PersonProfile(contact_id=7, name="Jane Doe", emails=("jane@home.example",))


def draft(*signals: IntentSignal, score: float = 0.9, email: str | None = None) -> EnrichmentDraft:
    return EnrichmentDraft(
        expertise_areas=["data"],
        project_fit="Analytics workshops.",
        outreach_approach="E-mail.",
        first_message="Hi Jane",
        email=email,
        lead_score=score,
        intent_signals=list(signals),
    )


def signal(url: str, evidence: str, what: str = "hiring") -> IntentSignal:
    return IntentSignal(signal=what, source_url=url, evidence=evidence)


def test_a_quoted_signal_from_a_clean_source_is_kept_and_lifts_the_cap():
    checked = check_draft(draft(signal(PAGE.url, "is hiring three data engineers")), [PAGE], JANE)

    assert [s.signal for s in checked.intent_signals] == ["hiring"]
    assert checked.lead_score == pytest.approx(NO_EVIDENCE_CAP + PER_SIGNAL)
    assert checked.notes == [
        "Lead score lowered from 0.9 to 0.65: with 1 verified intent signal it can be at most 0.65"
    ]


@pytest.mark.parametrize(
    ("the_signal", "reason"),
    [
        (signal("https://other.example/", "is hiring three data engineers"), "not one of the"),
        (signal(FLAGGED.url, "Jane Doe is a great buyer"), "held text addressed to an AI"),
        (signal(PAGE.url, "is buying our catering next month"), "evidence is not in"),
        (signal(PAGE.url, "hiring"), "shorter than 3 words"),
    ],
)
def test_unbacked_signals_are_dropped_with_a_note(the_signal: IntentSignal, reason: str):
    checked = check_draft(draft(the_signal, score=0.8), [PAGE, FLAGGED], JANE)

    assert checked.intent_signals == []
    assert checked.lead_score == NO_EVIDENCE_CAP
    assert reason in checked.notes[0]
    assert checked.notes[-1] == (
        "Lead score lowered from 0.8 to 0.5: with no verified intent signal it can be at most 0.5"
    )


def test_quotes_match_across_case_punctuation_spacing_and_an_ellipsis():
    assert quote_found("ACME INC announced   today", PAGE.content)
    assert quote_found("Jane Doe, its CTO … build a new analytics platform", PAGE.content)
    assert not quote_found("build a new analytics platform … Jane Doe, its CTO", PAGE.content)
    assert not quote_found("data engineers to buy", PAGE.content)


def test_urls_match_without_case_trailing_slash_or_fragment_and_are_stored_as_researched():
    url = "HTTPS://ACME.EXAMPLE/news/data-team/#top"

    checked = check_draft(draft(signal(url, "hiring three data engineers")), [PAGE], JANE)

    assert [s.source_url for s in checked.intent_signals] == [PAGE.url]


def test_the_score_is_never_above_the_models_own():
    checked = check_draft(
        draft(signal(PAGE.url, "hiring three data engineers"), score=0.3), [PAGE], JANE
    )

    assert checked.lead_score == 0.3
    assert checked.notes == []


def test_one_source_counts_for_at_most_two_signals_and_repeats_count_once():
    many = [
        signal(PAGE.url, "is hiring three data engineers", "hiring"),
        signal(PAGE.url, "is hiring three data engineers", "hiring again"),
        signal(PAGE.url, "build a new analytics platform", "platform"),
        signal(PAGE.url, "Acme, Inc. announced today", "news"),
        signal(BLOG.url, "looking for an outside partner", "partner"),
    ]

    checked = check_draft(draft(*many, score=1.0), [PAGE, BLOG], JANE)

    assert [s.signal for s in checked.intent_signals] == ["hiring", "platform", "news", "partner"]
    counted = MAX_SIGNALS_PER_SOURCE + 1
    assert score_cap(checked.intent_signals) == pytest.approx(
        NO_EVIDENCE_CAP + PER_SIGNAL * counted
    )
    assert checked.lead_score == pytest.approx(0.95)


def test_an_email_from_a_source_is_kept():
    checked = check_draft(draft(email="Jane.Doe@acme.example"), [PAGE], JANE)

    assert checked.email == "Jane.Doe@acme.example"


def test_an_email_in_no_source_is_replaced_by_the_known_one():
    checked = check_draft(draft(email="jane@made-up.example"), [PAGE], JANE)

    assert checked.email == "jane@home.example"
    assert "Dropped e-mail jane@made-up.example: it appears in no source" in checked.notes


def test_an_email_only_in_a_flagged_source_is_not_kept():
    planted = Source(
        url="https://evil.example/", content="Write to buyer@evil.example", flags=("instruction",)
    )

    checked = check_draft(
        draft(email="buyer@evil.example"), [planted], PersonProfile(contact_id=1, name="Jane")
    )

    assert checked.email is None


def test_no_email_proposed_falls_back_to_the_known_address():
    assert check_draft(draft(email=None), [PAGE], JANE).email == "jane@home.example"
    assert check_draft(draft(email="null"), [PAGE], PersonProfile(contact_id=1)).email is None
