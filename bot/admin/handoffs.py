"""``/admin/handoffs``: conversations handed to a person, live, with a reply box and Resolve.

One implementation, two front ends: a reply here is `HandoffDesk.reply` (the
same send path as a reply in the Slack alert's thread: the outbox, consent
checked, stored with who wrote it) and Resolve is `HandoffDesk.release` (what
the alert's Resolve button and ``/bot-release`` run). The list refreshes itself
(htmx polling ``/admin/handoffs/list``, which works across any number of
processes) except while a reply is being typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from bot.admin.security import Member, PostedForm
from bot.admin.session import CONSOLE_PATH, TeamMember
from bot.admin.views import render
from bot.http.common import RuntimeDep
from bot.http.fields import PathId
from memory.contact_timeline import ContactCard, ContactTimeline, TimelineEntry
from memory.handoffs import HandedOff

if TYPE_CHECKING:
    from bot.runtime import Runtime

router = APIRouter()

#: Recent messages shown with each open handoff.
RECENT = 6
#: The longest reply the box takes (the outbox then fits it to the channel: SMS 1,600).
MAX_REPLY_CHARS = 4000

#: What the page says after a POST (``?done=``): fixed texts, never echoed input.
DONE = {
    "sent": "Sent to the customer.",
    "resolved": "Resolved: the bot answers this customer again.",
    "not-handed-off": "That conversation is not handed off (someone resolved it already).",
}


@dataclass(frozen=True, slots=True)
class OpenHandoff:
    """An open handoff as the console shows it."""

    handed: HandedOff
    card: ContactCard | None
    recent: list[TimelineEntry]


async def open_handoffs(rt: Runtime) -> list[OpenHandoff]:
    """Every open handoff, oldest first, with who it is and their last messages."""
    timeline = ContactTimeline(rt.db)
    shown = []
    for handed in await rt.orchestrator.handoffs.store.active():
        card = await timeline.contact(handed.contact_id)
        recent = await timeline.timeline(handed.contact_id, limit=RECENT)
        shown.append(OpenHandoff(handed, card, recent))
    return shown


async def _page(
    rt: Runtime,
    member: TeamMember,
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
    draft: tuple[int, str] | None = None,
) -> Response:
    return render(
        "handoffs.html",
        member=member,
        page="handoffs",
        handoffs=await open_handoffs(rt),
        done=DONE.get(done or ""),
        error=error,
        draft=draft,
        max_reply=MAX_REPLY_CHARS,
        status=status,
    )


@router.get("/handoffs")
async def handoffs(
    member: Member, rt: RuntimeDep, done: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    """The open handoffs, refreshing themselves."""
    return await _page(rt, member, done=done)


@router.get("/handoffs/list")
async def handoff_list(member: Member, rt: RuntimeDep) -> Response:
    """The list alone: what the page polls for."""
    return render(
        "_handoff_list.html",
        member=member,
        handoffs=await open_handoffs(rt),
        max_reply=MAX_REPLY_CHARS,
        draft=None,
    )


@router.get("/handoffs/count")
async def handoff_count(member: Member, rt: RuntimeDep) -> Response:
    """How many are open: the header's badge on every page polls it."""
    count = len(await rt.orchestrator.handoffs.store.active())
    return render("_handoff_count.html", member=member, count=count)


@router.post("/handoffs/{conversation_id}/reply")
async def reply(
    conversation_id: PathId, form: PostedForm, member: Member, rt: RuntimeDep
) -> Response:
    """Send the team member's reply to the customer on their channel."""
    text = form.get("text", "").strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        why = "Write a reply first." if not text else f"At most {MAX_REPLY_CHARS} characters."
        return await _page(rt, member, error=why, status=422, draft=(conversation_id, text))
    relayed = await rt.orchestrator.handoffs.reply(
        conversation_id, text, author=member.name, author_id=member.member_id
    )
    if relayed.outcome == "sent":
        return RedirectResponse(f"{CONSOLE_PATH}/handoffs?done=sent", status_code=303)
    if relayed.outcome == "failed":
        error, status = f"Not sent: {relayed.detail}", 502
    elif relayed.outcome == "released":
        error, status = "Not sent: that conversation is back with the bot.", 409
    else:
        error, status = f"There is no conversation {conversation_id}.", 404
    return await _page(rt, member, error=error, status=status, draft=(conversation_id, text))


@router.post("/handoffs/{conversation_id}/resolve")
async def resolve(
    conversation_id: PathId, _form: PostedForm, member: Member, rt: RuntimeDep
) -> Response:
    """Give the conversation back to the bot (the Slack alert is marked resolved too)."""
    handed = await rt.orchestrator.handoffs.release(
        conversation_id, by=f"{member.name} (team console)"
    )
    done = "resolved" if handed is not None else "not-handed-off"
    return RedirectResponse(f"{CONSOLE_PATH}/handoffs?done={done}", status_code=303)
