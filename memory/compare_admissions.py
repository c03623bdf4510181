"""Admitting a /compare: the asker's rate limit, the cache, and the query row.

`CompareStore.admit` hands each admission here, inside the transaction its
write group shares. The rate limit and the cache read what is stored, so they
hold across every process that serves the bot.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from memory.compare_reads import QUERIES, aware, compare_fields, load_compare
from memory.compare_records import Admission, NewCompare, StoredCompare
from memory.models import utcnow


@dataclass(frozen=True, slots=True)
class AdmitRequest:
    """One compare to admit, with the limits it is admitted under."""

    new: NewCompare
    rate_limit: int
    window_s: float
    cache_ttl_s: float
    fresh: bool


async def admit_all(
    session: AsyncSession, admits: list[AdmitRequest], *, dialect: str
) -> list[Admission | Exception]:
    """Admit ``admits`` in turn, in one transaction; one `Admission` each."""
    if dialect == "postgresql":
        # One asker's admissions in turn, so two at once cannot both take the last
        # slot; the locks are taken in one order, so two groups cannot deadlock.
        keys = {_lock_key(key) for admit in admits for key in _limit_keys(admit.new)}
        for key in sorted(keys):
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    return [await _admit_one(session, admit) for admit in admits]


async def _admit_one(session: AsyncSession, admit: AdmitRequest) -> Admission:
    new, rate_limit, window_s = admit.new, admit.rate_limit, admit.window_s
    now = utcnow()
    since = now - timedelta(seconds=window_s)
    recent = await _recent(session, QUERIES.c.asker, new.asker, since)
    # The caller's compares too (whatever askers they named): the fuller of the two decides.
    if new.caller is not None:
        by_caller = await _recent(session, QUERIES.c.caller, new.caller, since)
        recent = max(recent, by_caller, key=len)
    if len(recent) >= rate_limit:
        # The moment enough of them leave the window for one more.
        frees_at = recent[len(recent) - rate_limit] + timedelta(seconds=window_s)
        wait = max((frees_at - now).total_seconds(), 0.001)
        return Admission(retry_after_s=wait, recent=len(recent))
    source = None
    if not admit.fresh and admit.cache_ttl_s > 0:
        source = await _cache_hit(session, new.key, now - timedelta(seconds=admit.cache_ttl_s))
    values = {
        "created_at": now,
        "asker": new.asker,
        "caller": new.caller,
        "asker_contact_id": new.asker_contact_id,
        "channel": new.channel,
        "question": new.question,
        "question_key": new.key,
        "models": list(source.models if source else new.models),
        "notes": list(source.notes if source else new.notes),
        "status": "done" if source else "running",
        "judge_model": source.judge_model if source else new.judge_model,
        "cached_from_id": source.id if source else None,
    }
    query_id = await session.scalar(insert(QUERIES).values(values).returning(QUERIES.c.id))
    assert query_id is not None  # an insert without ON CONFLICT returns its row
    cached = None
    if source is not None:
        cached = StoredCompare(
            **{
                **compare_fields(source),
                "id": query_id,
                "question": new.question,
                "asker": new.asker,
                "channel": new.channel,
                "created_at": now,
                "cached_from_id": source.id,
            }
        )
    return Admission(query_id=int(query_id), cached=cached, recent=len(recent), created_at=now)


async def _recent(session: AsyncSession, column: Any, key: str, since: datetime) -> list[datetime]:
    """When the compares of one asker (or caller) within the window were made, oldest first."""
    moments = await session.scalars(
        select(QUERIES.c.created_at)
        .where(column == key, QUERIES.c.created_at > since)
        .order_by(QUERIES.c.created_at)
    )
    return [aware(moment) for moment in moments]


async def _cache_hit(session: AsyncSession, key: str, since: datetime) -> StoredCompare | None:
    """The newest finished, uncached compare of the same question within the TTL."""
    row = (
        await session.execute(
            select(QUERIES)
            .where(
                QUERIES.c.question_key == key,
                QUERIES.c.created_at >= since,
                QUERIES.c.status == "done",
                QUERIES.c.cached_from_id.is_(None),
            )
            .order_by(QUERIES.c.created_at.desc())
            .limit(1)
        )
    ).first()
    return await load_compare(session, row) if row is not None else None


def _lock_key(asker: str) -> int:
    """A signed 64-bit advisory-lock key for one asker's admissions."""
    digest = hashlib.blake2b(f"compare:{asker}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _limit_keys(new: NewCompare) -> tuple[str, ...]:
    """The rate-limit keys a compare counts against: its asker, and its caller if known."""
    return (new.asker,) if new.caller is None else (new.asker, f"caller:{new.caller}")
