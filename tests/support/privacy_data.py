"""A person with something in every table that can hold them: what privacy tests delete.

Jane Doe writes by Telegram, then SMS (a second contact, merged into the first), has
an e-mail identity, an enrichment and lead fields, a booking, a follow-up, a
rated reply, a /compare she asked (with an answer and a vote), and a tutor
pair that quotes her. Bob, a team member on Slack, asks about her by e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import update

from bot.runtime import Runtime
from channels.base import Address, IncomingMessage
from memory.feedback import FeedbackStore
from memory.models import (
    Booking,
    CompareAnswer,
    CompareFeedback,
    CompareQuery,
    Contact,
    Conversation,
    FollowUp,
    utcnow,
)
from memory.tutor_pairs import TutorPairStore

JANE_PHONE = "+14155550142"
JANE_EMAIL = "jane.doe@acme.com"
JANE_NAME = "Jane Doe"
JANE_TELEGRAM = "777001"
FIRST_WORDS = "Hi, I'm Jane Doe. Do you cater 40 guests in Oakland?"
#: Strings that name Jane, in any form a row might hold them.
JANE_STRINGS = (JANE_PHONE, "415-555-0142", "4155550142", JANE_EMAIL, JANE_NAME, JANE_TELEGRAM)


@dataclass(frozen=True)
class Seeded:
    """The ids the tests check."""

    jane_id: int
    merged_id: int
    bob_id: int
    jane_reply_id: int
    bob_message_id: int
    bob_reply_id: int


def sms(text: str, external_id: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", JANE_PHONE),
        conversation_key=JANE_PHONE,
        text=text,
        external_id=external_id,
        sender_name=JANE_NAME,
    )


def telegram(text: str, external_id: str, *, with_phone: bool) -> IncomingMessage:
    return IncomingMessage(
        channel="telegram",
        sender=Address("telegram", JANE_TELEGRAM),
        aliases=(Address("phone", JANE_PHONE),) if with_phone else (),
        conversation_key=f"chat-{JANE_TELEGRAM}",
        text=text,
        external_id=external_id,
    )


async def seed_jane(runtime: Runtime) -> Seeded:
    """Jane's data in every table, and Bob's message about her."""
    handle = runtime.orchestrator.handle
    # Telegram first, without her phone: a contact of its own, merged into hers later.
    early = await handle(telegram("hello?", "U1", with_phone=False))
    first = await handle(sms(FIRST_WORDS, "SM1"))
    await handle(telegram("Same question, now from Telegram", "U2", with_phone=True))
    bob = await handle(
        IncomingMessage(
            channel="api",
            sender=Address("slack", "U0BOB"),
            conversation_key="ops-thread",
            text=f"who is {JANE_EMAIL}? {JANE_NAME} wants a quote",
            external_id="B1",
            sender_name="Bob Team",
        )
    )
    assert early is not None and first is not None and bob is not None
    # Joining keeps the older contact: the Telegram one; the SMS one is merged into it.
    jane_id, merged_id = early.contact_id, first.contact_id
    assert jane_id < merged_id
    db = runtime.db
    async with db.transaction() as session:
        await runtime.contacts.link(session, ("phone", JANE_PHONE), ("email", JANE_EMAIL))
        await session.execute(
            update(Contact)
            .where(Contact.id == jane_id)
            .values(
                enrichment={"summary": f"{JANE_NAME} runs events at Acme", "email": JANE_EMAIL},
                enriched_at=utcnow(),
                lead={"name": JANE_NAME, "guests": 40, "location": "Oakland"},
                lead_score=70,
                lead_updated_at=utcnow(),
                time_zone="America/Los_Angeles",
            )
        )
        # A booking left on the merged contact: merging does not move bookings.
        session.add(
            Booking(
                reference="HH-2001",
                contact_id=merged_id,
                event_date=date.today() + timedelta(days=10),
                guests=40,
                location="Oakland",
                notes=f"call {JANE_PHONE}",
            )
        )
        session.add(
            FollowUp(
                contact_id=jane_id,
                conversation_id=first.conversation_id,
                due_at=utcnow() + timedelta(days=1),
                reason="quiet lead",
            )
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == first.conversation_id)
            .values(
                handed_off_at=utcnow(), handoff_reason="asked for a person", ops_thread="C1:1.2"
            )
        )
        query = CompareQuery(
            asker=f"telegram:{JANE_TELEGRAM}",
            asker_contact_id=jane_id,
            channel="telegram",
            question="Which grill for Oakland?",
            question_key="k" * 64,
            models=["function:echo"],
            notes=[],
        )
        session.add(query)
        await session.flush()
        answer = CompareAnswer(
            query_id=query.id, position=1, model_id="function:echo", status="ok", text="x"
        )
        session.add(answer)
        await session.flush()
        session.add(
            CompareFeedback(
                query_id=query.id,
                answer_id=answer.id,
                voter=f"telegram:{JANE_TELEGRAM}",
                slot="best",
                kind="best",
            )
        )
    await FeedbackStore(db).rate(first.reply_message_id, rater="slack:U0BOB", rating="up")
    await TutorPairStore(db).record(
        SimpleNamespace(
            prompt=[
                {"role": "system", "content": "You are..."},
                {"role": "user", "content": FIRST_WORDS},
            ],
            decision="student",
            student_model="local:smollm2",
            student_text="Yes we do.",
            confidence=0.9,
            method="logprobs",
            teacher_model=None,
            teacher_text=None,
        )
    )
    return Seeded(
        jane_id=jane_id,
        merged_id=merged_id,
        bob_id=bob.contact_id,
        jane_reply_id=first.reply_message_id,
        bob_message_id=bob.incoming_message_id,
        bob_reply_id=bob.reply_message_id,
    )
