"""Lead capture through real conversations, the lead score, and the ops pipeline.

The orchestrator runs with the function model and recording channels; a fixed
router sends every message to the lead agent, so these tests are about what
the agent's tools store, not about routing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta

import pytest

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import Settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.db import Database
from memory.followups import FollowUpStore
from memory.leads import ENGAGED, NEW, QUALIFIED, LeadBook
from memory.models import Booking, Contact
from tests.support.routers import ScriptedRouter

PHONE = "+15551234567"


@pytest.fixture
def prompts() -> list[list[ChatMessage]]:
    return []


@pytest.fixture
async def runtime(
    settings: Settings, database: Database, prompts: list[list[ChatMessage]]
) -> AsyncIterator[Runtime]:
    def reply(messages: Sequence[ChatMessage]) -> str:
        prompts.append(list(messages))
        return "Happy to help!"

    rt = await Runtime.start(
        settings,
        provider=FunctionProvider(reply, model="test"),
        router=ScriptedRouter(default="lead_nurturing"),
        channels={name: RecordingChannel(name) for name in ("sms", "slack")},
        db=database,
    )
    try:
        yield rt
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)


def sms(text: str, external_id: str, phone: str = PHONE) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", phone),
        conversation_key=phone,
        text=text,
        external_id=external_id,
    )


async def contact(runtime: Runtime, contact_id: int) -> Contact:
    async with runtime.db.sessions() as session:
        found = await session.get(Contact, contact_id)
    assert found is not None
    return found


async def test_lead_fields_are_captured_scored_and_followed_up(
    runtime: Runtime, prompts: list[list[ChatMessage]]
):
    first = await runtime.orchestrator.handle(
        sms("Hi, I'm Dana. We want a hibachi party for 20 guests.", "SM1")
    )
    assert first is not None and first.agent == "lead_nurturing"
    stored = await contact(runtime, first.contact_id)
    assert stored.lead == {
        "name": "Dana",
        "guests": 20,
        "score_reasons": [
            "no event date yet",
            "20 guests (+20)",
            "no budget yet",
            "no location yet",
            "gave a name (+5)",
        ],
    }
    assert stored.lead_score == 25 and stored.lead_updated_at is not None
    assert stored.display_name == "Dana"
    # The model hears what is known and what to ask for next.
    system = prompts[0][0].content
    assert "guests: 20" in system and "name: Dana" in system
    assert "still ask for: the event date, the city." in system

    second = await runtime.orchestrator.handle(
        sms("It would be in SF, budget about $2,000, Pacific time", "SM2")
    )
    assert second is not None
    stored = await contact(runtime, first.contact_id)
    assert stored.lead is not None
    assert {k: stored.lead[k] for k in ("name", "guests", "budget", "location")} == {
        "name": "Dana",
        "guests": 20,
        "budget": 2000,
        "location": "San Francisco",  # "SF" is the service area's place
    }
    assert stored.time_zone == "America/Los_Angeles"
    assert stored.lead_score == 20 + 20 + 20 + 5
    assert "still ask for: the event date." in prompts[1][0].content
    # One follow-up waits: the first enquiry's was cancelled when Dana wrote again.
    store = FollowUpStore(runtime.db)
    [cancelled] = await store.list(status="cancelled")
    [pending] = await store.list(status="pending")
    assert cancelled.reason == "the lead wrote again"
    assert pending.channel == "sms" and pending.conversation_key == PHONE
    assert pending.due_at > cancelled.due_at


async def test_a_team_member_is_not_made_a_lead(runtime: Runtime):
    reply = await runtime.orchestrator.handle(
        IncomingMessage(
            channel="slack",
            sender=Address("slack", "U123"),
            conversation_key="C1:1700000000.000100",
            text="How much would 40 guests in Oakland cost?",
            external_id="Ev1",
            extras={"team_member": True},  # the adapter found U123 in the pinned workspace
        )
    )

    assert reply is not None
    stored = await contact(runtime, reply.contact_id)
    assert stored.lead is None and stored.lead_score is None
    assert await FollowUpStore(runtime.db).list() == []


async def test_the_pipeline_lists_open_leads_by_stage(runtime: Runtime):
    today = date(2026, 12, 1)
    leads = runtime.orchestrator.agents["lead_nurturing"].agent_tools.leads
    assert isinstance(leads, LeadBook)
    ids = {}
    for key, phone in (("new", "+15550000001"), ("engaged", "+15550000002"),
                       ("qualified", "+15550000003"), ("booked", "+15550000004"),
                       ("past", "+15550000005")):  # fmt: skip
        reply = await runtime.orchestrator.handle(sms("Hello", f"SM-{key}", phone=phone))
        assert reply is not None
        ids[key] = reply.contact_id
    await leads.capture(ids["engaged"], {"guests": 12})
    await leads.capture(
        ids["qualified"],
        {"event_date": "2027-01-09", "guests": 30, "location": "San Jose", "name": "Lee"},
        scorer=lambda fields: (80, ["test"]),
    )
    await leads.capture(ids["booked"], {"event_date": "2027-01-10", "guests": 15})
    await leads.capture(ids["past"], {"event_date": "2026-11-01", "guests": 15})
    async with runtime.db.transaction() as session:
        session.add(
            Booking(
                reference="HH-1",
                contact_id=ids["booked"],
                event_date=date(2027, 1, 10),
                guests=15,
                status="confirmed",
            )
        )

    pipeline = await leads.pipeline(today=today)

    assert [(lead.contact_id, lead.stage) for lead in pipeline] == [
        (ids["qualified"], QUALIFIED),
        (ids["engaged"], ENGAGED),
        (ids["new"], NEW),
    ]
    top = pipeline[0]
    assert (top.name, top.score, top.fields["guests"]) == ("Lee", 80, 30)
    # The lead agent planned a follow-up for each: the pipeline shows when it is due.
    assert top.next_followup_at is not None
    assert top.next_followup_at.replace(tzinfo=None) > (
        top.updated_at.replace(tzinfo=None) + timedelta(hours=23)
    )


async def test_capture_merges_and_replaces(runtime: Runtime):
    reply = await runtime.orchestrator.handle(sms("Hi", "SM9"))
    assert reply is not None
    leads = LeadBook(runtime.db)

    await leads.capture(reply.contact_id, {"guests": 20, "budget": 1000})
    record = await leads.capture(reply.contact_id, {"guests": 25, "location": None, "bogus": 1})

    assert record.fields == {"guests": 25, "budget": 1000}
    assert record.missing == ["name", "event_date", "location"]
    # Without a scorer the score the agent gave "Hi" (0) and its reasons stay.
    assert record.score == 0 and "no guest count yet" in record.score_reasons
