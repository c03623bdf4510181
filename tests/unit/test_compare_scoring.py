"""The heuristic score of /compare answers, and the ranking built from it."""

from __future__ import annotations

import pytest

from agents.compare.result import JudgeReport, ModelAnswer
from agents.compare.scoring import completeness, is_refusal, rank, score_answers

QUESTION = "How should a small caterer price a wedding buffet for 120 guests?"

STRUCTURED = """Price a wedding buffet from your costs up, then check it against the market.

## Costs per guest

- Food: ingredients for the buffet, about $14 per guest for 120 guests.
- Staff: servers and kitchen hours, about $9 per guest.
- Rentals and transport: chafing dishes, linens, the van.

## Setting the price

1. Add the costs and a margin of 30 to 40 percent.
2. Compare with other caterers in your area for weddings of the same size.
3. Quote per guest, with a minimum of 100 guests, and a deposit to book the date.

A small caterer should also price tastings and the cake cutting fee separately.
"""


def answer(position: int, text: str, **fields) -> ModelAnswer:
    fields.setdefault("latency_ms", 500.0)
    fields.setdefault("cost_usd", 0.001)
    return ModelAnswer(
        position=position, model_id=f"m:{position}", status="ok", text=text, **fields
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, but I can't help with that.",
        "I cannot assist with this request.",
        "As an AI language model, I do not have opinions on pricing.",
        "I must decline to answer.",
        "",
        "   ",
    ],
)
def test_refusals_are_detected(text):
    assert is_refusal(text)


def test_a_refusal_scores_low_even_when_it_is_fastest_and_cheapest():
    refusal = answer(1, "I'm sorry, but I can't help with that.", latency_ms=100, cost_usd=0.0)
    plain = answer(2, "Charge about $45 per guest for a buffet wedding of 120 guests.")
    scores = score_answers(QUESTION, [refusal, plain])

    assert scores[1].refusal and not scores[2].refusal
    assert scores[1].total < 0.1 < scores[2].total
    assert rank([refusal, plain], scores).order == (2, 1)


def test_a_mention_of_a_limit_later_in_an_answer_is_not_a_refusal():
    text = STRUCTURED + "\nNote: I can't help with the legal side of contracts, ask a lawyer."
    assert not is_refusal(text)


def test_a_refusal_reported_by_the_vendor_is_a_refusal_whatever_the_text():
    scores = score_answers(QUESTION, [answer(1, "Policy.", finish_reason="refusal")])
    assert scores[1].refusal


def test_a_structured_complete_answer_beats_a_one_liner():
    one_liner = answer(1, "About $40 each.")
    structured = answer(2, STRUCTURED)
    scores = score_answers(QUESTION, [one_liner, structured])

    assert scores[2].parts["structure"] > scores[1].parts["structure"]
    assert scores[2].parts["completeness"] > scores[1].parts["completeness"]
    assert scores[2].total > scores[1].total
    assert rank([one_liner, structured], scores).order == (2, 1)


def test_a_truncated_answer_loses_completeness():
    cut = STRUCTURED.rstrip().removesuffix(".")[:-40]
    assert completeness(QUESTION, STRUCTURED) > completeness(QUESTION, cut)
    assert completeness(QUESTION, cut) > completeness(QUESTION, cut, finish_reason="length")


def test_latency_breaks_a_tie_between_equal_answers():
    slow = answer(1, STRUCTURED, latency_ms=2400.0)
    fast = answer(2, STRUCTURED, latency_ms=600.0)
    scores = score_answers(QUESTION, [slow, fast])

    assert scores[2].parts["speed"] == 1.0
    assert scores[1].parts["speed"] == pytest.approx((600 + 50) / (2400 + 50), abs=1e-3)
    assert scores[2].total > scores[1].total
    assert rank([slow, fast], scores).order == (2, 1)


def test_cost_breaks_a_tie_and_an_unknown_cost_is_neutral():
    dear = answer(1, STRUCTURED, cost_usd=0.01)
    cheap = answer(2, STRUCTURED, cost_usd=0.0005)
    unknown = answer(3, STRUCTURED, cost_usd=None)
    scores = score_answers(QUESTION, [dear, cheap, unknown])

    assert scores[2].parts["cost"] == 1.0
    assert scores[3].parts["cost"] == 0.5
    assert scores[1].parts["cost"] < 0.1
    assert rank([dear, cheap, unknown], scores).order == (2, 3, 1)


def test_timeouts_and_failures_get_no_score_and_rank_last():
    failed = ModelAnswer(position=1, model_id="m:1", status="failed", error="500")
    late = ModelAnswer(position=2, model_id="m:2", status="timeout", error="no answer within 30 s")
    ok = answer(3, "Charge $45 per guest.")
    scores = score_answers(QUESTION, [failed, late, ok])

    assert set(scores) == {3}
    ranking = rank([failed, late, ok], scores)
    assert ranking.order == (3, 1, 2)
    assert ranking.method == "heuristic"


def test_the_judges_winner_ranks_first_and_heuristics_order_the_rest():
    answers = [answer(1, STRUCTURED), answer(2, "About $40 each."), answer(3, "Around $45.")]
    scores = score_answers(QUESTION, answers)
    report = JudgeReport(model_id="judge:x", outcome="winner", winner=2)
    ranking = rank(answers, scores, report)

    assert ranking.order[0] == 2
    assert ranking.order[1] == 1  # the best by heuristics among the rest
    assert ranking.method == "judge"
    assert ranking.judge is report


def test_an_undecided_judge_leaves_the_heuristic_ranking():
    answers = [answer(1, "About $40 each."), answer(2, STRUCTURED)]
    scores = score_answers(QUESTION, answers)
    ranking = rank(answers, scores, JudgeReport(model_id="judge:x", outcome="inconsistent"))

    assert ranking.order == (2, 1)
    assert ranking.method == "heuristic"
