"""Ratings of replies: the store, and ``POST /api/v1/messages/{id}/feedback`` over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.runtime import Runtime
from bot.testing.served import http_client
from channels.base import Address, IncomingMessage
from memory.feedback import FeedbackError, FeedbackStore, ReplyNotFoundError
from memory.models import ReplyFeedback
from tests.support.rows import count_rows


def sms(text: str, external_id: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", "+14155550100"),
        conversation_key="+14155550100",
        text=text,
        external_id=external_id,
    )


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(runtime) as http:
        yield http


async def test_rating_again_replaces_and_kinds_are_separate(runtime: Runtime):
    reply = await runtime.orchestrator.handle(sms("Do you do vegan?", "SM1"))
    assert reply is not None
    store = FeedbackStore(runtime.db)

    await store.rate(reply.reply_message_id, rater="phone:+14155550100", rating="up")
    await store.rate(reply.reply_message_id, rater="phone:+14155550100", rating="-1", note="meh")
    await store.rate(reply.reply_message_id, rater="ops", rating=1, kind="booking_outcome")

    ratings = await store.ratings(reply.reply_message_id)
    assert [(r.rater, r.kind, r.rating, r.note) for r in ratings] == [
        ("phone:+14155550100", "thumb", -1, "meh"),
        ("ops", "booking_outcome", 1, None),
    ]
    with pytest.raises(FeedbackError, match="not a reply"):
        await store.rate(reply.incoming_message_id, rater="x", rating="up")
    with pytest.raises(ReplyNotFoundError):
        await store.rate(99_999, rater="x", rating="up")
    with pytest.raises(FeedbackError, match="rating must be"):
        await store.rate(reply.reply_message_id, rater="x", rating="5")


async def test_well_rated_conversations_are_read_back(runtime: Runtime):
    good = await runtime.orchestrator.handle(sms("Can we book a party for 20 guests?", "SM1"))
    bad = await runtime.orchestrator.handle(
        IncomingMessage(
            channel="telegram",
            sender=Address("telegram", "42"),
            conversation_key="chat-42",
            text="Hello",
            external_id="U1",
        )
    )
    assert good is not None and bad is not None
    store = FeedbackStore(runtime.db)
    await store.rate(good.reply_message_id, rater="a", rating="up")
    await store.rate(good.reply_message_id, rater="b", rating="up")
    await store.rate(bad.reply_message_id, rater="a", rating="down")

    once = [c async for c in store.rated_conversations(min_rating=1)]
    twice = [c async for c in store.rated_conversations(min_rating=2)]
    three = [c async for c in store.rated_conversations(min_rating=3)]

    assert [c.conversation_id for c in once] == [good.conversation_id]
    assert once[0].turns == [
        ("in", "Can we book a party for 20 guests?", None),
        ("out", "You said: Can we book a party for 20 guests?", 2),
    ]
    assert len(twice) == 1 and three == []


async def test_feedback_over_http(client: httpx.AsyncClient, runtime: Runtime):
    reply = await runtime.orchestrator.handle(sms("Do you do vegan?", "SM1"))
    assert reply is not None
    path = f"/api/v1/messages/{reply.reply_message_id}/feedback"

    up = await client.post(path, json={"rating": "up", "note": "spot on"})
    minus = await client.post(path, json={"rating": -1, "kind": "booking_outcome"})
    bad = await client.post(path, json={"rating": "meh"})
    missing = await client.post("/api/v1/messages/99999/feedback", json={"rating": "+1"})
    incoming = await client.post(
        f"/api/v1/messages/{reply.incoming_message_id}/feedback", json={"rating": "+1"}
    )

    assert up.status_code == 200, up.text
    assert up.json()["rating"] == 1 and up.json()["note"] == "spot on"
    assert minus.status_code == 200 and minus.json()["kind"] == "booking_outcome"
    assert minus.json()["rating"] == -1
    assert bad.status_code == 422
    assert missing.status_code == 404
    # The path names a reply of the bot: a customer's message is no such reply.
    assert incoming.status_code == 404 and "not a reply" in incoming.json()["error"]
    assert await count_rows(runtime.db, ReplyFeedback) == 2


async def test_feedback_needs_the_api_token(settings, database, model, channels):
    settings = settings.model_copy(update={"api_token": "api-token-0123456789"})
    runtime = await Runtime.start(settings, provider=model, channels=channels, db=database)
    try:
        async with http_client(runtime) as http:
            refused = await http.post("/api/v1/messages/1/feedback", json={"rating": "up"})
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)

    assert refused.status_code == 401
