"""Storing a message sent to a contact: the bot's reply, a follow-up, a team member's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from memory.models import Message, utcnow

MESSAGES = Message.__table__
# Built once, run with parameters: every reply is stored through it, and building the
# statement per call cost more CPU than its round trip.
_INSERT = insert(MESSAGES).returning(MESSAGES.c.id)


def sent_external_id(sent_id: str) -> str:
    """The stored external id of a message we sent: ``out:<channel's id>``."""
    return f"out:{sent_id}"


async def insert_outgoing(
    session: AsyncSession,
    *,
    conversation_id: int,
    contact_id: int,
    channel: str,
    text: str,
    agent: str | None,
    meta: dict[str, Any],
    reply_to_id: int | None = None,
    sent_id: str | None = None,
    created_at: datetime | None = None,
    send_state: str | None = None,
) -> int:
    """Store a message sent to a contact (the bot's reply, a follow-up, a team member's
    answer) in the caller's transaction; its id. ``sent_id`` is the channel's id when
    it was already sent (delivery reports and reactions find the message by it)."""
    message_id = await session.scalar(
        _INSERT,
        {
            "conversation_id": conversation_id,
            "contact_id": contact_id,
            "channel": channel,
            "external_id": sent_external_id(sent_id) if sent_id else None,
            "direction": "out",
            "text": text,
            "agent": agent,
            "reply_to_id": reply_to_id,
            "created_at": created_at or utcnow(),
            "meta": meta,
            "send_state": send_state or ("sent" if sent_id else None),
        },
    )
    assert message_id is not None  # an insert without ON CONFLICT returns its row
    return message_id
