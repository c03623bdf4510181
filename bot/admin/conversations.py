"""``/admin/conversations`` and ``/admin/contacts/{id}``: who wrote lately, and one person's
whole history across channels, with each bot reply's agent, model, cost, citations and
grounding notes."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from bot.admin.security import Member
from bot.admin.views import render
from bot.http.common import RuntimeDep
from bot.http.fields import PathId
from memory.contact_timeline import ContactTimeline

router = APIRouter()

#: Messages of one contact shown at most (the newest).
HISTORY_LIMIT = 200


@router.get("/conversations")
async def conversations(member: Member, rt: RuntimeDep) -> Response:
    """The latest conversation of each contact: channel, agent, state, last message."""
    latest = await ContactTimeline(rt.db).latest_conversations(limit=100)
    return render("conversations.html", member=member, page="conversations", rows=latest)


@router.get("/contacts/{contact_id:int}")
async def contact(contact_id: PathId, member: Member, rt: RuntimeDep) -> Response:
    """One contact's messages on every channel, oldest first."""
    timeline = ContactTimeline(rt.db)
    card = await timeline.contact(contact_id)
    if card is None:
        raise HTTPException(404, f"no contact {contact_id}")
    entries = await timeline.timeline(contact_id, limit=HISTORY_LIMIT)
    handed = {h.conversation_id for h in await rt.orchestrator.handoffs.store.active()}
    return render(
        "contact.html",
        member=member,
        page="conversations",
        card=card,
        entries=entries,
        limit=HISTORY_LIMIT,
        handed_off=sorted(handed & {e.conversation_id for e in entries}),
    )
