"""`ContactPrivacy`: everything held about one person, exported or deleted for good.

A person is a contact and every contact merged into it; which rows are
about them is `memory.person_rows`'s.

Export reads every table that names them. Delete removes, in one transaction:
their messages and every message of their conversations, the conversations
(handoff state included), identities, enrichment and lead fields (on the
contact rows), bookings, follow-ups, inbound-limit records, feedback on those replies and feedback
they gave, their /compare questions with answers and votes, and tutor pairs
whose prompt quoted them. Model calls stay (the month's costs must still add
up) with their links to the contact and messages cut. Other people's messages
that quote the person's e-mail, phone or name have those redacted.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.db import Database
from memory.enrichment_records import ContactNotFoundError
from memory.models import (
    Booking,
    CompareAnswer,
    CompareFeedback,
    CompareQuery,
    Contact,
    Conversation,
    FollowUp,
    Identity,
    InboundLimitHit,
    Message,
    ModelCall,
    ReplyFeedback,
    TutorPair,
)
from memory.person_rows import Person, find_person, quoting_pairs, rows_about
from memory.web_events import delete_web_chat_copies

#: What replaces the person's e-mail, phone or name in other people's messages.
REDACTED = "[deleted contact]"

__all__ = ["REDACTED", "ContactNotFoundError", "ContactPrivacy"]


class ContactPrivacy:
    """Exports and deletes everything the store holds about a contact."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def person(self, session: AsyncSession, contact_id: int) -> Person:
        """The person ``contact_id`` belongs to; `ContactNotFoundError` if none."""
        return await find_person(session, contact_id)

    async def export(self, contact_id: int) -> dict[str, Any]:
        """Every row held about the person, by table, as JSON-ready values."""
        async with self.db.sessions() as session:
            person = await self.person(session, contact_id)
            tables: dict[str, list[dict[str, Any]]] = {}
            for name, model, query in rows_about(person):
                rows = await session.scalars(select(model).where(model.id.in_(query)))
                tables[name] = [_row(r) for r in rows]
            tables["tutor_pairs"] = [
                _row(r) for r in await quoting_pairs(session, person, full=True)
            ]
        return {"contact_id": person.contact_id, "contact_ids": list(person.contact_ids), **tables}

    async def delete(self, contact_id: int) -> dict[str, int]:
        """Remove everything held about the person for good; rows affected per table."""
        async with self.db.transaction() as session:
            person = await self.person(session, contact_id)
            return await self._delete(session, person)

    async def _delete(self, session: AsyncSession, person: Person) -> dict[str, int]:
        q = {name: query for name, _model, query in rows_about(person)}
        ids = person.contact_ids
        counts: dict[str, int] = {}

        async def run(key: str, statement: Any) -> None:
            result = await session.execute(statement)
            counts[key] = counts.get(key, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]

        pairs = [p.id for p in await quoting_pairs(session, person, full=False)]
        # Costs stay; who and what they were for go.
        await run(
            "model_calls_unlinked",
            update(ModelCall)
            .where(or_(ModelCall.contact_id.in_(ids), ModelCall.message_id.in_(q["messages"])))
            .values(contact_id=None, message_id=None),
        )
        await run(
            "reply_feedback", delete(ReplyFeedback).where(ReplyFeedback.id.in_(q["reply_feedback"]))
        )
        await run("followups", delete(FollowUp).where(FollowUp.id.in_(q["followups"])))
        await run(
            "inbound_limit_hits",
            delete(InboundLimitHit).where(InboundLimitHit.id.in_(q["inbound_limit_hits"])),
        )
        # Another person's rows that point at these messages keep their row, not the link.
        await session.execute(
            update(FollowUp).where(FollowUp.message_id.in_(q["messages"])).values(message_id=None)
        )
        await session.execute(
            update(Message).where(Message.reply_to_id.in_(q["messages"])).values(reply_to_id=None)
        )
        await run("messages", delete(Message).where(Message.id.in_(q["messages"])))
        await run("bookings", delete(Booking).where(Booking.id.in_(q["bookings"])))
        await session.execute(
            update(CompareQuery)
            .where(CompareQuery.cached_from_id.in_(q["compare_queries"]))
            .values(cached_from_id=None)
        )
        await run(
            "compare_feedback",
            delete(CompareFeedback).where(CompareFeedback.id.in_(q["compare_feedback"])),
        )
        await run(
            "compare_answers",
            delete(CompareAnswer).where(CompareAnswer.id.in_(q["compare_answers"])),
        )
        await run(
            "compare_queries", delete(CompareQuery).where(CompareQuery.id.in_(q["compare_queries"]))
        )
        # The web chat's copies: what the visitor's stream shows, and a pending phone code.
        counts.update(await delete_web_chat_copies(session, q["conversations"], ids))
        await run(
            "conversations", delete(Conversation).where(Conversation.id.in_(q["conversations"]))
        )
        await run("identities", delete(Identity).where(Identity.contact_id.in_(ids)))
        if pairs:
            await run("tutor_pairs", delete(TutorPair).where(TutorPair.id.in_(pairs)))
        counts["messages_redacted"] = await self._redact_mentions(session, person)
        await session.execute(
            update(Contact).where(Contact.id.in_(ids)).values(merged_into_id=None)
        )
        await run("contacts", delete(Contact).where(Contact.id.in_(ids)))
        return counts

    async def _redact_mentions(self, session: AsyncSession, person: Person) -> int:
        """Others' messages quoting the person's e-mail, phone or name: those words go."""
        if not person.mentions:
            return 0
        quoting = or_(
            *(
                func.lower(Message.text).contains(m.lower(), autoescape=True)
                for m in person.mentions
            )
        )
        rows = (await session.execute(select(Message.id, Message.text).where(quoting))).all()
        redacted = 0
        for message_id, text in rows:
            clean = _redacted(text, person)
            if clean != text:
                await session.execute(
                    update(Message).where(Message.id == message_id).values(text=clean)
                )
                redacted += 1
        return redacted


def _redacted(text: str, person: Person) -> str:
    # Longest first (a full name before its parts); whole words only, so "Sam" spares "Samuel".
    for mention in person.mentions:
        text = re.sub(rf"(?<!\w){re.escape(mention)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text


def _row(row: Any) -> dict[str, Any]:
    """A mapped row as a dict of JSON-ready values (dates as ISO 8601)."""
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        values[column.key] = value
    return values
