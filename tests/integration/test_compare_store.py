"""`CompareStore` on SQLite and PostgreSQL: the rate limit, the cache, votes and win rates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from memory.compare import CompareStore, NewCompare, StoredAnswer, StoredCompare, question_key
from memory.db import Database
from memory.models import CompareQuery, utcnow

MODELS = ("openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5", "groq:llama-3.3-70b-versatile")


def asked(question: str = "What is 2+2?", asker: str = "slack:U1") -> NewCompare:
    return NewCompare(asker=asker, channel="slack", question=question, models=MODELS)


def answers(*statuses: str) -> list[StoredAnswer]:
    return [
        StoredAnswer(
            position=i,
            model_id=MODELS[i - 1],
            status=status,
            text=f"answer {i}" if status == "ok" else "",
            error=None if status == "ok" else status,
            latency_ms=100.0 * i,
            input_tokens=10,
            output_tokens=5 * i,
            cost_usd=0.001 * i,
            score=0.5 + 0.1 * i if status == "ok" else None,
            rank=4 - i if status == "ok" else None,
        )
        for i, status in enumerate(statuses, start=1)
    ]


async def finished(store: CompareStore, new: NewCompare, *statuses: str) -> int:
    admission = await store.admit(new, rate_limit=100)
    assert admission.query_id is not None and admission.cached is None
    assert admission.created_at is not None
    await store.finish(
        StoredCompare(
            id=admission.query_id,
            question=new.question,
            asker=new.asker,
            channel=new.channel,
            created_at=admission.created_at,
            status="done"
            if set(statuses) == {"ok"}
            else "partial"
            if "ok" in statuses
            else "failed",
            models=new.models,
            answers=tuple(answers(*statuses)),
            wall_ms=321.0,
        )
    )
    return admission.query_id


def test_the_cache_key_ignores_whitespace_and_case_but_not_the_lineup_or_judge():
    key = question_key("What is  2+2?", MODELS, None)

    assert question_key("  what IS 2+2?\n", MODELS, None) == key
    assert question_key("What is 2+3?", MODELS, None) != key
    assert question_key("What is 2+2?", MODELS[:2], None) != key
    assert question_key("What is 2+2?", MODELS, "openai:gpt-4o") != key


async def test_a_finished_compare_reads_back_whole(database: Database):
    store = CompareStore(database)
    query_id = await finished(store, asked(), "ok", "timeout", "ok")

    stored = await store.get(query_id)

    assert stored is not None
    assert (stored.question, stored.asker, stored.status, stored.cached) == (
        "What is 2+2?",
        "slack:U1",
        "partial",
        False,
    )
    assert [a.status for a in stored.answers] == ["ok", "timeout", "ok"]
    assert stored.answers[2].cost_usd == pytest.approx(0.003)
    assert [a.position for a in stored.ranked] == [3, 1]
    assert stored.as_dict()["ranking"] == {"method": "heuristic", "order": [3, 1]}
    assert await store.get(query_id + 100) is None


async def test_the_rate_limit_counts_stored_compares_and_says_when_to_retry(database: Database):
    store = CompareStore(database)
    for _ in range(3):
        assert (await store.admit(asked(), rate_limit=3, fresh=True)).query_id is not None
    # Age the first one to 50 s: a slot frees 10 s from now.
    async with database.transaction() as session:
        first = await session.scalar(select(func.min(CompareQuery.id)))
        await session.execute(
            update(CompareQuery)
            .where(CompareQuery.id == first)
            .values(created_at=utcnow() - timedelta(seconds=50))
        )

    refused = await store.admit(asked(), rate_limit=3, fresh=True)
    other_asker = await store.admit(asked(asker="slack:U2"), rate_limit=3, fresh=True)

    assert refused.query_id is None and refused.recent == 3
    assert refused.retry_after_s == pytest.approx(10, abs=1.5)
    assert other_asker.query_id is not None


async def test_a_repeat_is_served_from_the_stored_compare_unless_fresh(database: Database):
    store = CompareStore(database)
    source = await finished(store, asked("What is 2+2?"), "ok", "ok", "ok")

    repeat = await store.admit(asked("  what is 2+2? "), rate_limit=100)
    fresh = await store.admit(asked("What is 2+2?"), rate_limit=100, fresh=True)
    other_lineup = await store.admit(
        NewCompare(asker="slack:U1", channel="slack", question="What is 2+2?", models=MODELS[:2]),
        rate_limit=100,
    )

    assert repeat.cached is not None
    assert repeat.query_id not in (None, source)
    assert (repeat.cached.id, repeat.cached.cached_from_id) == (repeat.query_id, source)
    assert repeat.cached.question == "  what is 2+2? "  # as asked this time
    assert [a.text for a in repeat.cached.answers] == ["answer 1", "answer 2", "answer 3"]
    assert fresh.cached is None and other_lineup.cached is None
    # Reading the cached row back gives the source's answers, marked cached.
    again = await store.get(repeat.query_id)
    assert again is not None and again.cached and again.source_id == source
    assert again.as_dict()["answers"][0]["text"] == "answer 1"


async def test_expired_running_partial_and_failed_compares_are_not_served(database: Database):
    store = CompareStore(database)
    await finished(store, asked("all failed"), "failed", "timeout", "failed")
    await finished(store, asked("partly failed"), "ok", "timeout", "ok")
    await store.admit(asked("still running"), rate_limit=100)
    old = await finished(store, asked("an old one"), "ok", "ok", "ok")
    async with database.transaction() as session:
        await session.execute(
            update(CompareQuery)
            .where(CompareQuery.id == old)
            .values(created_at=utcnow() - timedelta(hours=2))
        )

    for question in ("all failed", "partly failed", "still running", "an old one"):
        admission = await store.admit(asked(question), rate_limit=100, cache_ttl_s=3600)
        assert admission.cached is None, question


async def test_votes_replace_earlier_ones_and_feed_the_win_rates(database: Database):
    store = CompareStore(database)
    first = await finished(store, asked("one"), "ok", "ok", "ok")
    second = await finished(store, asked("two"), "ok", "ok", "timeout")

    assert (await store.vote(first, 1, voter="slack:U1", kind="best")) is not None
    voted = await store.vote(first, 2, voter="slack:U1", kind="best")  # changes its mind
    await store.vote(first, 2, voter="slack:U2", kind="best")
    await store.vote(second, 1, voter="slack:U1", kind="best")
    await store.vote(second, 1, voter="slack:U1", kind="up")
    await store.vote(second, 1, voter="slack:U1", kind="down")  # replaces the 👍
    await store.vote(second, 2, voter="slack:U1", kind="up")
    await store.vote(second, 2, voter="slack:U2", kind="up")

    assert voted is not None and voted.model_id == MODELS[1]
    assert await store.vote(first, 9, voter="slack:U1", kind="best") is None
    assert await store.vote(first + second + 50, 1, voter="slack:U1", kind="best") is None
    stats = {s.model_id: s for s in await store.stats()}
    openai, anthropic, groq = (stats[m] for m in MODELS)
    # Three best votes: two on the first compare (both anthropic), one on the second (openai).
    assert (anthropic.wins, anthropic.contests, anthropic.up, anthropic.down) == (2, 3, 2, 0)
    assert (openai.wins, openai.contests, openai.up, openai.down) == (1, 3, 0, 1)
    assert (groq.wins, groq.contests, groq.compares) == (0, 3, 2)
    assert anthropic.win_rate == pytest.approx(2 / 3)
    assert next(iter(await store.stats())).model_id == MODELS[1]  # best win rate first


async def test_a_vote_on_a_cached_repeat_counts_for_its_source(database: Database):
    store = CompareStore(database)
    source = await finished(store, asked(), "ok", "ok", "ok")
    repeat = await store.admit(asked(), rate_limit=100)
    assert repeat.query_id is not None

    await store.vote(repeat.query_id, 3, voter="slack:U1", kind="best")
    await store.vote(source, 1, voter="slack:U1", kind="best")  # the same slot: replaced

    stats = {s.model_id: s for s in await store.stats()}
    assert (stats[MODELS[0]].wins, stats[MODELS[2]].wins, stats[MODELS[0]].contests) == (1, 0, 1)
