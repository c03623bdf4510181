"""The knowledge base on SQLite and PostgreSQL: ingest, retrieval, cited answers, "not sure"."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from agents.knowledge.ingest import KnowledgeBaseError, content_hash, ingest_paths, sync_folder
from agents.knowledge.retriever import Retriever
from agents.knowledge.unknown import NOT_IN_DOCUMENTS
from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import SAMPLE_BUSINESS_DIR, Settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.db import Database
from memory.knowledge import KnowledgeStore
from memory.models import KnowledgeChunk, KnowledgeDocument, Message, ModelCall

PHONE = "+15557654321"


def sms(text: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms", sender=Address("phone", PHONE), conversation_key=f"sms:{PHONE}", text=text
    )


@pytest.fixture
def business(tmp_path: Path) -> Path:
    """A copy of the sample business folder the test may change."""
    folder = tmp_path / "business"
    shutil.copytree(SAMPLE_BUSINESS_DIR, folder)
    return folder


async def test_sync_ingests_once_then_only_what_changed(database: Database, business: Path):
    store = KnowledgeStore(database)

    first = await sync_folder(store, business)
    again = await sync_folder(store, business)
    (business / "faq.md").write_text("# FAQ\n\n- Parking: the chef needs one spot for the van.\n")
    (business / "policies.md").unlink()
    changed = await sync_folder(store, business)

    assert sorted(first.changed) == ["faq.md", "policies.md", "pricing.md"]
    assert again.changed == [] and again.removed == []
    assert changed.changed == ["faq.md"] and changed.removed == ["policies.md"]
    documents = {d.source: d for d in await store.documents()}
    assert set(documents) == {"faq.md", "pricing.md"}
    assert documents["faq.md"].chunks == 1 and documents["faq.md"].title == "FAQ"
    assert documents["faq.md"].content_hash == content_hash((business / "faq.md").read_text())


async def test_unchanged_documents_keep_their_chunk_ids(database: Database, business: Path):
    store = KnowledgeStore(database)
    await sync_folder(store, business)
    before = [c.id for c in await store.chunks()]

    await sync_folder(store, business)
    results = await ingest_paths(store, [business / "pricing.md"], root=business)

    assert [c.id for c in await store.chunks()] == before  # replies cite these ids
    assert [(r.source, r.changed) for r in results] == [("pricing.md", False)]


async def test_documents_from_elsewhere_survive_a_sync(
    database: Database, business: Path, tmp_path: Path
):
    extra = tmp_path / "menu.txt"
    extra.write_text("Dessert: mochi ice cream for $4 per guest, green tea or mango.\n")
    store = KnowledgeStore(database)

    [added] = await ingest_paths(store, [extra], root=business)
    await sync_folder(store, business)

    assert added.source == extra.resolve().as_posix() and added.chunks == 1
    assert added.source in {d.source for d in await store.documents()}
    assert await store.remove(added.source) == 1
    assert await store.remove(added.source) is None


async def test_only_markdown_and_text_are_accepted(database: Database, tmp_path: Path):
    pdf = tmp_path / "menu.pdf"
    pdf.write_bytes(b"%PDF-1.4")

    with pytest.raises(KnowledgeBaseError, match="only Markdown and text"):
        await ingest_paths(KnowledgeStore(database), [pdf])
    with pytest.raises(KnowledgeBaseError, match="no such file"):
        await ingest_paths(KnowledgeStore(database), [tmp_path / "missing.md"])


async def test_two_starts_at_once_ingest_without_clashing(database: Database, business: Path):
    store = KnowledgeStore(database)

    await asyncio.gather(sync_folder(store, business), sync_folder(store, business))

    async with database.sessions() as session:
        documents = (await session.scalars(select(KnowledgeDocument.source))).all()
        positions = (
            await session.execute(select(KnowledgeChunk.document_id, KnowledgeChunk.position))
        ).all()
    assert sorted(documents) == ["faq.md", "policies.md", "pricing.md"]
    assert len(positions) == len(set(positions))


async def test_search_ranks_the_passage_that_answers(database: Database, business: Path):
    store = KnowledgeStore(database)
    await sync_folder(store, business)
    retriever = Retriever(store, top_k=3, min_score=2.4)

    hits = await retriever.search("What is the deposit to reserve a date?", 3)
    relevant = await retriever.relevant("Do you cater weddings in Hawaii?")

    assert hits[0].document == "pricing.md" and hits[0].text.startswith("Deposit: $200")
    assert hits[0].score > hits[1].score >= hits[-1].score
    assert relevant == []


async def test_a_running_retriever_sees_a_document_added_later(
    database: Database, business: Path, tmp_path: Path
):
    store = KnowledgeStore(database)
    await sync_folder(store, business)
    retriever = Retriever(store, refresh_s=0)
    assert await retriever.relevant("Do you offer mochi for dessert?") == []

    extra = tmp_path / "dessert.md"
    extra.write_text("# Dessert\n\n- Mochi ice cream for $4 per guest, green tea or mango.\n")
    await ingest_paths(store, [extra])

    [hit] = await retriever.relevant("Do you offer mochi for dessert?")
    assert hit.heading == "Dessert" and "Mochi" in hit.text


async def test_the_knowledge_agent_answers_from_a_cited_chunk(
    runtime: Runtime, model: FunctionProvider, channels: dict[str, RecordingChannel]
):
    reply = await runtime.orchestrator.handle(sms("What is your cancellation policy?"))

    assert reply.agent == "knowledge"
    system = model.calls[0][0].content
    assert "Cancellation: full deposit refund up to 7 days before the event" in system
    async with runtime.db.sessions() as session:
        stored = await session.get(Message, reply.reply_message_id)
        cited = await session.get(KnowledgeChunk, stored.meta["citations"][0]["chunk_id"])
    first = stored.meta["citations"][0]
    assert (first["source"], first["heading"]) == ("policies.md", "Policies")
    assert cited.text.startswith("Cancellation:")
    assert first["score"] >= runtime.settings.kb_min_score


async def test_a_fact_the_documents_lack_gets_not_sure_and_no_model_call(
    runtime: Runtime, model: FunctionProvider, channels: dict[str, RecordingChannel]
):
    reply = await runtime.orchestrator.handle(sms("Do you offer a loyalty program?"))

    assert reply.agent == "knowledge"
    assert reply.text == NOT_IN_DOCUMENTS
    assert channels["sms"].texts == [NOT_IN_DOCUMENTS]
    assert model.calls == []  # never a guess from the model
    async with runtime.db.sessions() as session:
        stored = await session.get(Message, reply.reply_message_id)
        calls = (await session.scalars(select(ModelCall))).all()
    assert stored.meta["tool"] == "knowledge_base" and "citations" not in stored.meta
    assert stored.meta["model"] == "bot:no-knowledge"
    assert calls == []


async def test_other_agents_get_chunks_when_the_message_asks_for_facts(
    runtime: Runtime, model: FunctionProvider
):
    priced = await runtime.orchestrator.handle(sms("How much is the deposit to book you?"))
    chatty = await runtime.orchestrator.handle(sms("I need a refund for my booking"))

    assert priced.agent == "lead_nurturing"
    assert "Deposit: $200 to reserve a date" in model.calls[0][0].content
    assert priced.completion.extras["citations"][0]["source"] == "pricing.md"
    assert chatty.agent == "customer_care"
    assert "citations" not in chatty.completion.extras  # no question: no documents


async def test_a_second_start_on_the_same_database_writes_nothing(
    settings: Settings, database: Database, model: FunctionProvider
):
    first = await Runtime.start(settings, provider=model, channels={}, db=database)
    await first.aclose(keep_database=True)
    async with database.sessions() as session:
        before = (
            await session.execute(select(KnowledgeDocument.source, KnowledgeDocument.updated_at))
        ).all()

    second = await Runtime.start(settings, provider=model, channels={}, db=database)
    await second.aclose(keep_database=True)

    async with database.sessions() as session:
        after = (
            await session.execute(select(KnowledgeDocument.source, KnowledgeDocument.updated_at))
        ).all()
    assert sorted(before) == sorted(after) and len(after) == 3


async def test_yes_to_asking_the_team_hands_the_question_to_a_person(
    runtime: Runtime, model: FunctionProvider
):
    await runtime.orchestrator.handle(sms("Do you offer a loyalty program?"))
    reply = await runtime.orchestrator.handle(sms("yes please"))

    assert reply.agent == "knowledge"
    assert model.calls == []
    async with runtime.db.sessions() as session:
        stored = await session.get(Message, reply.reply_message_id)
    reason = stored.meta["handoff"]["reason"]
    assert reason == "a question the documents do not answer: Do you offer a loyalty program?"


async def test_a_question_of_common_words_still_gets_the_best_chunks(
    database: Database, business: Path
):
    store = KnowledgeStore(database)
    await sync_folder(store, business)
    retriever = Retriever(store, top_k=3, min_score=2.4)

    priced = await retriever.relevant("What is the price?")
    unknown = await retriever.relevant("Is the salmon wild or farmed?")

    # "price" is in every pricing line, so no chunk scores high; every word is known.
    assert all(hit.score < 2.4 for hit in priced)
    assert priced[0].text.startswith("Classic package, our standard price: $60 per adult")
    # "wild" and "farmed" are in no document: nothing to answer from.
    assert unknown == []


async def test_a_price_question_gets_the_price_list_not_its_other_word(
    database: Database, business: Path
):
    store = KnowledgeStore(database)
    await sync_folder(store, business)
    retriever = Retriever(store, top_k=3, min_score=2.4)

    searched = await retriever.search("dinner prices?", 3)
    relevant = await retriever.relevant("dinner prices?")
    tips = await retriever.relevant("are tips included in the price?")

    # The rare "dinner" of the timing line outscores "price", which every price line has.
    assert searched[0].text.startswith("Timing:")
    assert {hit.document for hit in relevant} == {"pricing.md"}
    assert relevant[0].text.startswith("Classic package, our standard price: $60 per adult")
    assert tips[0].text.startswith("Gratuity is not included")


async def test_a_question_naming_no_topic_gets_no_passage(database: Database, business: Path):
    store = KnowledgeStore(database)
    await sync_folder(store, business)
    retriever = Retriever(store, top_k=3, min_score=2.4)

    # Its only word, "tell", is in "Allergies: tell us at booking".
    assert (await retriever.search("Tell me about you", 3))[0].text.startswith("Allergies")
    assert await retriever.relevant("Tell me about you") == []


async def test_a_lead_asking_what_the_documents_lack_gets_not_sure_too(
    runtime: Runtime, model: FunctionProvider
):
    enquiry = await runtime.orchestrator.handle(sms("We want a party for 30 guests on June 14."))
    unknown = await runtime.orchestrator.handle(sms("Do you have a helicopter pad?"))
    handed = await runtime.orchestrator.handle(sms("yes"))

    # The continuation stays with lead nurturing, which no more guesses than the knowledge agent.
    assert enquiry.agent == unknown.agent == "lead_nurturing"
    assert unknown.text == NOT_IN_DOCUMENTS
    assert len(model.calls) == 1  # the enquiry only
    async with runtime.db.sessions() as session:
        stored = await session.get(Message, handed.reply_message_id)
    assert stored.meta["handoff"]["reason"].endswith("Do you have a helicopter pad?")


async def test_a_lead_telling_about_the_event_gets_the_model_even_without_documents(
    runtime: Runtime, model: FunctionProvider
):
    reply = await runtime.orchestrator.handle(
        sms("Are you free on June 14 for 30 people in Oakland?")
    )

    assert reply.agent == "lead_nurturing"
    assert len(model.calls) == 1 and reply.text != NOT_IN_DOCUMENTS


async def test_a_price_the_model_invents_is_replaced_by_the_documents_words(
    settings: Settings, database: Database, channels: dict[str, RecordingChannel]
):
    inventor = FunctionProvider(lambda _: "The classic package for 20 guests is $65.")
    rt = await Runtime.start(settings, provider=inventor, channels=channels, db=database)
    try:
        reply = await rt.orchestrator.handle(sms("How much is the classic package per adult?"))
    finally:
        await rt.aclose(keep_database=True)

    assert "$65" not in reply.text and "$60 per adult" in reply.text
    assert channels["sms"].texts == [reply.text]
    async with database.sessions() as session:
        stored = await session.get(Message, reply.reply_message_id)
    assert stored.meta["grounding"]["amounts"] == ["65"]
    assert "$65" in stored.meta["grounding"]["replaced"]  # kept, for whoever reviews it


async def test_a_question_the_business_description_answers_goes_to_the_model(
    runtime: Runtime, model: FunctionProvider
):
    # No document says "cater"; business.yml's summary (in every prompt) does.
    reply = await runtime.orchestrator.handle(sms("Do you cater?"))

    assert reply.text == "You said: Do you cater?"
    assert "hibachi catering company" in model.calls[0][0].content
