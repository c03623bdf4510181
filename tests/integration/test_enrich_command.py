"""/enrich: research through the fake Tavily, score with a function model, store, reuse.

The model is `tests.support.enrich_replies` behind the real factory
(``ENRICH_MODEL=function:...``); research is the official Tavily SDK against
`agents.research.testing` on 127.0.0.1. The command runs through the inbox,
as any channel hands it over, and on Slack over real HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from agents.providers.function import FunctionProvider
from agents.research.testing import FakeTavily, page, running_fake_tavily
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.testing.slack_bot import running_slack_bot
from channels.base import Address, IncomingMessage
from channels.slack.testing import run_fake_slack
from channels.testing import RecordingChannel
from memory.db import Database
from memory.enrichment_records import ContactNotFoundError
from memory.models import Contact, utcnow
from tests.support.enrich_bot import (
    GARBLED_MODEL,
    NEWS,
    TEAM_MEMBER,
    enrich_settings,
    lead_model,
    logged_calls,
)
from tests.support.enrich_replies import LEAD_SCORE


@pytest.fixture
async def tavily() -> AsyncIterator[FakeTavily]:
    pages = [page(NEWS, "Jane Doe of Acme is planning a company offsite for 60 people in May.")]
    async with running_fake_tavily(results=pages) as fake:
        yield fake


@pytest.fixture
async def bot(
    database: Database,
    model: FunctionProvider,
    tavily: FakeTavily,
    channels: dict[str, RecordingChannel],
) -> AsyncIterator[Runtime]:
    settings = load_settings(_env_file=None, **enrich_settings(database, tavily))
    rt = await Runtime.start(settings, provider=model, channels=channels, db=database)
    try:
        yield rt
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)


async def telegram_command(rt: Runtime, sender: str, arguments: str) -> None:
    incoming = IncomingMessage(
        channel="telegram",
        sender=Address("telegram", sender),
        conversation_key=f"telegram:{sender}",
        text=f"/enrich {arguments}",
        external_id=f"update-{sender}-{arguments}",
        command="enrich",
        arguments=arguments,
    )
    await rt.inbox.deliver(incoming)
    await rt.inbox.work.drain(5)


async def test_enrich_researches_scores_stores_and_then_reuses_the_result(
    bot: Runtime, tavily: FakeTavily
):
    first = await bot.enrich.enrich_target(bot.enrich.parse("Jane@Acme.com"))

    assert first.cached is False
    assert first.research == "tavily"
    assert first.email == "jane@acme.com"  # the contact's own address
    assert [s.source_url for s in first.intent_signals] == [NEWS]
    assert first.lead_score == LEAD_SCORE  # one verified signal supports 0.6
    assert len(tavily.requests) == 1 and tavily.requests[0]["search_depth"] == "basic"
    assert len(lead_model(bot).calls) == 1
    async with bot.db.sessions() as session:
        contact = await session.get(Contact, first.contact_id)
    assert contact is not None and contact.enrichment == first.stored()
    (call,) = await logged_calls(bot.db)
    assert (call.agent, call.contact_id, call.outcome) == ("/enrich", first.contact_id, "ok")

    again = await bot.enrich.enrich_target(bot.enrich.parse("jane@acme.com"))

    assert again.cached is True
    assert again.model_dump(exclude={"cached"}) == first.model_dump(exclude={"cached"})
    assert len(tavily.requests) == 1  # no research
    assert len(lead_model(bot).calls) == 1  # no model call
    assert len(await logged_calls(bot.db)) == 1


async def test_refresh_researches_and_scores_again(bot: Runtime, tavily: FakeTavily):
    first = await bot.enrich.enrich_target(bot.enrich.parse("jane@acme.com"))

    refreshed = await bot.enrich.enrich(first.contact_id, refresh=True)

    assert refreshed.cached is False
    assert refreshed.created_at > first.created_at
    assert len(tavily.requests) == 2
    assert len(lead_model(bot).calls) == 2
    reused = await bot.enrich.enrich(first.contact_id)
    assert reused.cached is True and reused.created_at == refreshed.created_at


async def test_an_enrichment_older_than_the_max_age_is_made_anew(bot: Runtime, tavily: FakeTavily):
    first = await bot.enrich.enrich_target(bot.enrich.parse("jane@acme.com"))
    async with bot.db.transaction() as session:
        await session.execute(
            update(Contact)
            .where(Contact.id == first.contact_id)
            .values(enriched_at=utcnow() - timedelta(days=31))
        )

    again = await bot.enrich.enrich(first.contact_id)

    assert again.cached is False
    assert len(tavily.requests) == 2


async def test_an_unknown_contact_id_is_refused(bot: Runtime):
    with pytest.raises(ContactNotFoundError):
        await bot.enrich.enrich(4242)


async def test_a_team_member_on_telegram_gets_the_lead_card_as_text(
    bot: Runtime, channels: dict[str, RecordingChannel]
):
    await telegram_command(bot, TEAM_MEMBER, "+1 (555) 123-4567 --refresh")

    (sent,) = channels["telegram"].sent
    card = sent.message.card
    assert card is not None
    text = card.as_text()
    assert card.title == "Lead: +15551234567"
    assert f"Lead score: {LEAD_SCORE:.2f}" in text
    assert f"• wants what we sell — {NEWS}" in text
    assert "Drafted first message:" in text and "web search" in text
    async with bot.db.sessions() as session:
        phones = await session.scalar(select(func.count()).select_from(Contact))
    assert phones == 2  # the asker and the new contact


async def test_a_customer_on_telegram_may_not_enrich(
    bot: Runtime, channels: dict[str, RecordingChannel], tavily: FakeTavily
):
    await telegram_command(bot, "999", "jane@acme.com")

    (sent,) = channels["telegram"].sent
    assert sent.message.text.startswith("I don't know /enrich")
    assert tavily.requests == [] and lead_model(bot).calls == []


async def test_a_shared_name_lists_the_contacts_instead_of_guessing(
    bot: Runtime, channels: dict[str, RecordingChannel], tavily: FakeTavily
):
    jane = await bot.enrich.store.locate(addresses=[("email", "jane@acme.com")], name="Jane Doe")
    other = await bot.enrich.store.locate(addresses=[("phone", "+15550001111")], name="jane doe")

    await telegram_command(bot, TEAM_MEMBER, "Jane Doe")

    (sent,) = channels["telegram"].sent
    assert sent.message.text.splitlines() == [
        "Several contacts are called Jane Doe:",
        f"• #{jane.id} Jane Doe (email:jane@acme.com)",
        f"• #{other.id} jane doe (phone:+15550001111)",  # names match whatever their case
        "Run /enrich again with their e-mail, phone or @user, or with #id.",
    ]
    assert tavily.requests == []


async def test_empty_or_malformed_targets_get_usage_help(
    bot: Runtime, channels: dict[str, RecordingChannel]
):
    await telegram_command(bot, TEAM_MEMBER, "")
    await telegram_command(bot, TEAM_MEMBER, "jane@acme")

    usage, invalid = channels["telegram"].texts
    assert usage.startswith("Usage: /enrich <name, e-mail, phone or @slack-user>")
    assert invalid.startswith("Not an e-mail address: 'jane@acme'")


async def test_a_model_that_never_answers_in_json_is_reported_and_its_calls_logged(
    database: Database, model: FunctionProvider, tavily: FakeTavily
):
    options = enrich_settings(database, tavily, enrich_model=GARBLED_MODEL)
    rt = await Runtime.start(
        load_settings(_env_file=None, **options),
        provider=model,
        channels={"telegram": RecordingChannel("telegram")},
        db=database,
    )
    try:
        await telegram_command(rt, TEAM_MEMBER, "jane@acme.com")
        telegram = rt.orchestrator.outbox.channels["telegram"]
        assert isinstance(telegram, RecordingChannel)
        (sent,) = telegram.sent
        assert sent.message.text.startswith("I could not research jane@acme.com just now")
        calls = await logged_calls(rt.db)
        assert [c.role for c in calls] == ["answer", "repair", "repair"]
        assert all(c.agent == "/enrich" for c in calls)
        async with rt.db.sessions() as session:
            stored = await session.scalar(
                select(func.count()).where(Contact.enriched_at.is_not(None))
            )
        assert stored == 0
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)


async def test_slack_enrich_is_acked_then_answered_with_a_card_at_the_response_url(
    database: Database, model: FunctionProvider, tavily: FakeTavily
):
    async with (
        run_fake_slack() as fake,
        running_slack_bot(fake, database, model, **enrich_settings(database, tavily)) as slack,
    ):
        response = await slack.command("/enrich", "<@U777ABC|jane>")

        assert response.status_code == 200
        assert response.json()["text"] == "Researching…"
        (answer,) = await fake.wait_calls("response_url", within=10)
        await slack.settle()
        blocks = answer["blocks"]
        header = next(b for b in blocks if b["type"] == "header")
        assert header["text"]["text"] == "Lead: jane"
        fields = [f["text"] for b in blocks if b["type"] == "section" for f in b.get("fields", [])]
        assert f"*Lead score*\n{LEAD_SCORE:.2f}" in fields
        body = "\n".join(
            b["text"]["text"] for b in blocks if "text" in b and b["type"] == "section"
        )
        assert NEWS in body and "Drafted first message:" in body
        assert answer["text"] == f"jane: lead score {LEAD_SCORE:.2f}"
        record = await slack.runtime.enrich.store.locate(addresses=[("slack", "U777ABC")])
        assert record.name == "jane" and record.enrichment is not None


async def test_slack_enrich_of_a_user_reads_their_profile_for_name_and_email(
    database: Database, model: FunctionProvider, tavily: FakeTavily
):
    async with (
        run_fake_slack() as fake,
        running_slack_bot(fake, database, model, **enrich_settings(database, tavily)) as slack,
    ):
        fake.add_user("U778ABC", name="Jane Doe", email="Jane@Acme.com")
        await slack.command("/enrich", "<@U778ABC|jane>")
        (answer,) = await fake.wait_calls("response_url", within=10)
        await slack.settle()

        header = next(b for b in answer["blocks"] if b["type"] == "header")
        assert header["text"]["text"] == "Lead: Jane Doe"
        # The profile's e-mail joins the contact, and research looks at the company.
        record = await slack.runtime.enrich.store.locate(addresses=[("email", "jane@acme.com")])
        same = await slack.runtime.enrich.store.locate(addresses=[("slack", "U778ABC")])
        assert record.id == same.id and record.name == "Jane Doe"
        (search,) = tavily.requests
        assert "Jane Doe" in search["query"] and "acme.com" in search["query"]
