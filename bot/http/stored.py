"""The answer of an HTTP API message as stored, when another worker gave it.

`POST /api/v1/messages` waits for its message's job. When the job ran in this
process the request has the `Reply` itself; when a worker elsewhere ran it,
the reply and its model calls are read back from the database.
"""

from __future__ import annotations

from sqlalchemy import func, select

from agents.providers.base import Completion
from agents.routing.base import Route
from bot.orchestrator import Reply
from bot.runtime import Runtime
from channels.base import IncomingMessage
from memory.models import Message, ModelCall


async def stored_reply(rt: Runtime, incoming: IncomingMessage, message_id: int) -> Reply | None:
    """The stored reply to ``message_id`` as a `Reply`; None when there is none (handoff)."""
    m = Message.__table__.c
    async with rt.db.sessions() as session:
        row = (
            await session.execute(
                select(m.id, m.text, m.agent, m.meta, m.contact_id, m.conversation_id)
                .where(m.reply_to_id == message_id, m.direction == "out")
                .order_by(m.id)
                .limit(1)
            )
        ).one_or_none()
        if row is None:
            return None
        c = ModelCall.__table__.c
        usage = (
            await session.execute(
                select(
                    func.coalesce(func.sum(c.input_tokens), 0),
                    func.coalesce(func.sum(c.output_tokens), 0),
                    func.sum(c.cost_usd),
                    func.coalesce(func.sum(c.latency_ms), 0.0),
                    func.max(c.routing_reason),
                ).where(c.message_id == row.id)
            )
        ).one()
    meta = dict(row.meta or {})
    provider, _, model = str(meta.get("model") or "bot:none").partition(":")
    completion = Completion(
        text=row.text,
        model=model,
        provider=provider,
        input_tokens=int(usage[0]),
        output_tokens=int(usage[1]),
        cost_usd=usage[2],
        latency_ms=float(usage[3]),
    )
    confidence = float(meta.get("route_confidence") or 0.0)
    reason = (usage[4] or "").split(" (confidence")[0]
    return Reply(
        text=row.text,
        agent=row.agent or "",
        route=Route(row.agent or "", confidence, reason),
        completion=completion,
        outcome=str(meta.get("outcome") or "ok"),
        incoming_message_id=message_id,
        reply_message_id=row.id,
        contact_id=row.contact_id,
        conversation_id=row.conversation_id,
    )
