"""A compare's outcome in its stored form: status, answers with scores and ranks, the judge."""

from __future__ import annotations

import dataclasses
from typing import Any

from agents.compare.result import CompareOutcome, ModelAnswer
from bot.compare.admission import CompareTicket
from memory.compare import StoredAnswer, StoredCompare


def outcome_status(outcome: CompareOutcome) -> str:
    """done: every model answered; partial: some did (never served from the cache,
    so a passing outage is not replayed for an hour); failed: none did."""
    answered = sum(a.status == "ok" for a in outcome.answers)
    if answered == len(outcome.answers):
        return "done"
    return "partial" if answered else "failed"


def stored_answer(answer: ModelAnswer) -> StoredAnswer:
    """A runner's answer as stored and shown, before scores and ranks."""
    return StoredAnswer(
        position=answer.position,
        model_id=answer.model_id,
        status=answer.status,
        text=answer.text,
        error=answer.error,
        latency_ms=None if answer.latency_ms is None else round(answer.latency_ms, 2),
        input_tokens=answer.input_tokens,
        output_tokens=answer.output_tokens,
        cost_usd=answer.cost_usd,
    )


def stored_answers(outcome: CompareOutcome) -> list[StoredAnswer]:
    """Every answer with its heuristic score and rank (only scored answers are ranked)."""
    ranking = outcome.ranking
    scores = ranking.scores if ranking else {}
    scored = [p for p in (ranking.order if ranking else ()) if p in scores]
    ranks = {position: rank for rank, position in enumerate(scored, start=1)}
    answers = []
    for answer in outcome.answers:
        score = scores.get(answer.position)
        details: dict[str, Any] = {}
        if score is not None:
            details = {**score.parts, "refusal": score.refusal}
        answers.append(
            dataclasses.replace(
                stored_answer(answer),
                score=score.total if score else None,
                score_details=details,
                rank=ranks.get(answer.position),
            )
        )
    return answers


def judge_json(outcome: CompareOutcome) -> dict[str, Any] | None:
    """The judge's report as stored (its calls go to model_calls), with the ranking method."""
    ranking = outcome.ranking
    if ranking is None or ranking.judge is None:
        return None
    report = dataclasses.asdict(ranking.judge)
    report.pop("calls", None)
    return {**report, "ranking_method": ranking.method}


def stored_compare(
    ticket: CompareTicket,
    outcome: CompareOutcome,
    *,
    judge_model: str | None,
    judge_notes: tuple[str, ...] = (),
) -> StoredCompare:
    """The finished compare of ``ticket`` as it is stored and shown."""
    return StoredCompare(
        id=ticket.query_id,
        question=ticket.question,
        asker=ticket.asker,
        channel=ticket.channel,
        created_at=ticket.created_at,
        status=outcome_status(outcome),
        models=tuple(c.model_id for c in ticket.lineup.contestants),
        notes=(*outcome.notes, *judge_notes),
        answers=tuple(stored_answers(outcome)),
        judge_model=judge_model,
        judge=judge_json(outcome),
        wall_ms=round(outcome.wall_ms, 2),
    )
