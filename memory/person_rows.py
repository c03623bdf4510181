"""One person's rows: which contacts are the person, and which rows are about them.

A person is a contact and every contact merged into it (merging moves
identities, conversations and messages, but a merged contact's own row,
bookings or enrichment may remain). Given a merged contact's id, the contact
it was merged into is the person. `memory.privacy.ContactPrivacy` exports and
deletes what these select.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def find_person(session: AsyncSession, contact_id: int) -> Person:
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


def rows_about(person: Person) -> list[tuple[str, Any, Select]]:
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


async def quoting_pairs(session: AsyncSession, person: Person, *, full: bool) -> Sequence[Any]:
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
