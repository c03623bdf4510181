"""`ContactPrivacy`: everything held about one person, exported or deleted for good.

A person is a contact and every contact merged into it (merging moves
identities, conversations and messages, but a merged contact's own row,
bookings or enrichment may remain). Given a merged contact's id, the contact
it was merged into is the person.

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.db import Database
from memory.enrichment_records import ContactNotFoundError
from memory.merges import merged_contact_ids, surviving_contact
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
from memory.web_events import delete_web_chat_copies

#: What replaces the person's e-mail, phone or name in other people's messages.
REDACTED = "[deleted contact]"

__all__ = ["REDACTED", "ContactNotFoundError", "ContactPrivacy", "Person"]


@dataclass(frozen=True, slots=True)
class Person:
    """The contact rows of one person and how others refer to them."""

    contact_id: int
    #: The contact and every contact merged into it.
    contact_ids: tuple[int, ...]
    #: ``kind:value`` of each identity: how /compare and feedback name who acted.
    actor_keys: tuple[str, ...]
    #: Identity values and names to redact where others quote them.
    mentions: tuple[str, ...]


class ContactPrivacy:
    """Exports and deletes everything the store holds about a contact."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def person(self, session: AsyncSession, contact_id: int) -> Person:
        """The person ``contact_id`` belongs to; `ContactNotFoundError` if none."""
        contact = await surviving_contact(session, contact_id)
        if contact is None:
            raise ContactNotFoundError(f"no contact has the id {contact_id}")
        ids = await merged_contact_ids(session, contact.id)
        identities = (
            await session.execute(
                select(Identity.kind, Identity.external_id).where(Identity.contact_id.in_(ids))
            )
        ).all()
        names = await session.scalars(select(Contact.display_name).where(Contact.id.in_(ids)))
        mentions = {value for _kind, value in identities if len(value) >= 5}
        mentions |= {name for name in names if name and len(name) >= 3}
        return Person(
            contact_id=contact.id,
            contact_ids=tuple(ids),
            actor_keys=tuple(f"{kind}:{value}" for kind, value in identities),
            mentions=tuple(sorted(mentions, key=len, reverse=True)),
        )

    async def export(self, contact_id: int) -> dict[str, Any]:
        """Every row held about the person, by table, as JSON-ready values."""
        async with self.db.sessions() as session:
            person = await self.person(session, contact_id)
            tables: dict[str, list[dict[str, Any]]] = {}
            for name, model, query in _selections(person):
                rows = await session.scalars(select(model).where(model.id.in_(query)))
                tables[name] = [_row(r) for r in rows]
            tables["tutor_pairs"] = [
                _row(r) for r in await self._quoting_pairs(session, person, full=True)
            ]
        return {"contact_id": person.contact_id, "contact_ids": list(person.contact_ids), **tables}

    async def delete(self, contact_id: int) -> dict[str, int]:
        """Remove everything held about the person for good; rows affected per table."""
        async with self.db.transaction() as session:
            person = await self.person(session, contact_id)
            return await self._delete(session, person)

    async def _delete(self, session: AsyncSession, person: Person) -> dict[str, int]:
        q = {name: query for name, _model, query in _selections(person)}
        ids = person.contact_ids
        counts: dict[str, int] = {}

        async def run(key: str, statement: Any) -> None:
            result = await session.execute(statement)
            counts[key] = counts.get(key, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]

        pairs = [p.id for p in await self._quoting_pairs(session, person, full=False)]
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

    async def _quoting_pairs(
        self, session: AsyncSession, person: Person, *, full: bool
    ) -> Sequence[Any]:
        """Tutor pairs whose prompt holds the person's words or identities.

        The log links no contact, so the prompts are read and matched in
        Python: a user turn equal to one of their messages, or any turn quoting
        an identity value.
        """
        said = set(
            await session.scalars(
                select(Message.text).where(
                    Message.contact_id.in_(person.contact_ids), Message.direction == "in"
                )
            )
        )
        if not said and not person.mentions:
            return []
        wanted = select(TutorPair) if full else select(TutorPair.id, TutorPair.prompt)
        found = []
        # Streamed: the log can be long, and only the few matching pairs are kept.
        async for row in await session.stream(wanted):
            pair = row[0] if full else row
            turns = [str(t.get("content", "")) for t in (pair.prompt or []) if isinstance(t, dict)]
            if any(t in said for t in turns) or any(
                m.lower() in t.lower() for t in turns for m in person.mentions
            ):
                found.append(pair)
        return found


def _selections(person: Person) -> list[tuple[str, Any, Select]]:
    """(table, model, select of the ids of its rows about the person), in export order."""
    ids = person.contact_ids
    conversations = select(Conversation.id).where(Conversation.contact_id.in_(ids))
    messages = select(Message.id).where(
        or_(Message.contact_id.in_(ids), Message.conversation_id.in_(conversations))
    )
    queries = select(CompareQuery.id).where(
        or_(CompareQuery.asker_contact_id.in_(ids), CompareQuery.asker.in_(person.actor_keys))
    )
    return [
        ("contacts", Contact, select(Contact.id).where(Contact.id.in_(ids))),
        ("identities", Identity, select(Identity.id).where(Identity.contact_id.in_(ids))),
        ("conversations", Conversation, conversations),
        ("messages", Message, messages),
        (
            "model_calls",
            ModelCall,
            select(ModelCall.id).where(
                or_(ModelCall.contact_id.in_(ids), ModelCall.message_id.in_(messages))
            ),
        ),
        (
            "reply_feedback",
            ReplyFeedback,
            select(ReplyFeedback.id).where(
                or_(
                    ReplyFeedback.message_id.in_(messages),
                    ReplyFeedback.rater.in_(person.actor_keys),
                )
            ),
        ),
        ("bookings", Booking, select(Booking.id).where(Booking.contact_id.in_(ids))),
        (
            "inbound_limit_hits",
            InboundLimitHit,
            select(InboundLimitHit.id).where(
                or_(
                    InboundLimitHit.contact_id.in_(ids),
                    InboundLimitHit.message_id.in_(messages),
                )
            ),
        ),
        (
            "followups",
            FollowUp,
            select(FollowUp.id).where(
                or_(FollowUp.contact_id.in_(ids), FollowUp.conversation_id.in_(conversations))
            ),
        ),
        ("compare_queries", CompareQuery, queries),
        (
            "compare_answers",
            CompareAnswer,
            select(CompareAnswer.id).where(CompareAnswer.query_id.in_(queries)),
        ),
        (
            "compare_feedback",
            CompareFeedback,
            select(CompareFeedback.id).where(
                or_(
                    CompareFeedback.query_id.in_(queries),
                    CompareFeedback.voter.in_(person.actor_keys),
                )
            ),
        ),
    ]


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
