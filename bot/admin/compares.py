"""``/admin/compares``: the history of /compare, one compare's answers side by side with
scores, the judge's verdicts and the votes, and voting.

Votes go through `CompareService.vote`, as the Slack buttons' do: one vote
per voter and slot (best answer; thumbs per answer), a new one replacing the
old. The console's voter is ``console:<e-mail or name>``.
"""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import RedirectResponse, Response

from bot.admin.security import Member, PostedForm
from bot.admin.session import CONSOLE_PATH
from bot.admin.views import render
from bot.http.common import RuntimeDep
from bot.http.fields import MAX_ID, PathId
from memory.compare import VoteKind
from memory.compare_history import CompareHistory

router = APIRouter()

PAGE_SIZE = 50
VOTE_KINDS = set(get_args(VoteKind))


@router.get("/compares")
async def compares(
    member: Member,
    rt: RuntimeDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The compares, newest first, a page at a time (``?before=<id>`` for older ones)."""
    rows = await CompareHistory(rt.db).recent(limit=PAGE_SIZE, before_id=before)
    older = rows[-1].id if len(rows) == PAGE_SIZE else None
    stats = await rt.compare.stats()
    return render(
        "compares.html", member=member, page="compares", rows=rows, older=older, stats=stats
    )


@router.get("/compares/{query_id}")
async def compare(
    query_id: PathId,
    member: Member,
    rt: RuntimeDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """One compare: each answer in a column, with rank, score, cost, votes and vote buttons."""
    stored = await rt.compare.get(query_id)
    if stored is None:
        raise HTTPException(404, f"no compare {query_id}")
    votes = await CompareHistory(rt.db).votes(stored.source_id)
    mine = {
        (position, kind)
        for position, tally in votes.items()
        for voter, kind in tally.voters
        if voter == member.member_id
    }
    by_position = {a.position: a for a in stored.answers}
    return render(
        "compare.html",
        member=member,
        page="compares",
        compare=stored,
        votes=votes,
        mine=mine,
        by_position=by_position,
        voted=done == "voted",
    )


@router.post("/compares/{query_id}/vote")
async def vote(query_id: PathId, form: PostedForm, member: Member, rt: RuntimeDep) -> Response:
    """Record the team member's vote: ``kind`` best, up or down on answer ``position``."""
    kind, position = form.get("kind", ""), form.get("position", "")
    if (
        kind not in VOTE_KINDS
        or not (position.isascii() and position.isdigit())
        or len(position) > 3
    ):
        raise HTTPException(422, "a vote needs kind (best, up or down) and an answer position")
    answer = await rt.compare.vote(
        query_id,
        int(position),
        voter=member.member_id,
        kind=kind,  # type: ignore[arg-type]  # checked against VOTE_KINDS above
    )
    if answer is None:
        raise HTTPException(404, f"compare {query_id} has no answer {position}")
    return RedirectResponse(f"{CONSOLE_PATH}/compares/{query_id}?done=voted", status_code=303)
