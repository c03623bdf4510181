"""`Clarifier`: answer, ask once, or hand off, from the route, the channel and the history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.routing.base import HUMAN_ROUTE, Route
from bot.handoff.clarify import CLARIFY_AGENT, Clarifier, just_clarified
from memory.history import HistoryEntry

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
CLARIFIER = Clarifier(min_confidence=0.45)


def said(direction: str, text: str, *, agent: str | None = None, channel: str = "sms"):
    return HistoryEntry(direction, text, channel, agent, NOW)


ASKED = [said("in", "hmm"), said("out", "Is this about...?", agent=CLARIFY_AGENT)]


def step(route: Route, *, is_team: bool = False, history=()):
    return CLARIFIER.next_step(route, is_team=is_team, channel="sms", history=list(history))


@pytest.mark.parametrize("confidence", [0.45, 0.9])
def test_a_confident_route_is_answered(confidence: float):
    assert step(Route("knowledge", confidence, "matched")).action == "answer"


def test_an_unclear_customer_message_gets_one_clarifying_question():
    result = step(Route("lead_nurturing", 0.2, "weak"))
    assert result.action == "clarify"
    assert "0.20" in result.reason and "lead_nurturing" in result.reason


def test_a_second_unclear_message_in_a_row_goes_to_a_person():
    result = step(Route("knowledge", 0.3, "weak"), history=ASKED)
    assert result.action == "handoff"
    assert "still unclear after a clarifying question" in result.reason


def test_after_a_clarified_answer_the_next_unclear_message_is_asked_about_again():
    history = [*ASKED, said("in", "a new booking"), said("out", "Great!", agent="lead_nurturing")]
    assert step(Route("knowledge", 0.3, "weak"), history=history).action == "clarify"


def test_a_team_member_gets_the_best_guess_however_unsure():
    assert step(Route("operations", 0.05, "weak"), is_team=True, history=ASKED).action == "answer"


@pytest.mark.parametrize("is_team", [False, True])
def test_the_human_route_hands_off_on_every_channel(is_team: bool):
    result = step(Route(HUMAN_ROUTE, 0.8, "asked for a manager"), is_team=is_team)
    assert result.action == "handoff"
    assert result.reason == "asked for a person (asked for a manager)"


def test_only_the_last_word_on_the_same_channel_counts():
    # The contact's Telegram messages do not make an SMS question "in a row".
    elsewhere = [*ASKED, said("in", "hi", channel="telegram")]
    assert just_clarified(elsewhere, channel="sms")
    assert not just_clarified(ASKED, channel="telegram")
    # A team member's relayed reply (no agent) ends the run.
    assert not just_clarified([*ASKED, said("out", "Sam here")], channel="sms")
    assert not just_clarified([], channel="sms")


def test_an_unsure_human_route_asks_a_customer_first_but_not_a_team_member():
    unsure = Route(HUMAN_ROUTE, 0.3, "nearest 'give me a manager'")
    assert step(unsure).action == "clarify"
    assert step(unsure, history=ASKED).action == "handoff"
    assert step(unsure, is_team=True).action == "handoff"
