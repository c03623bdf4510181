"""`BackgroundWork`: ordered per conversation, parallel across them, failures logged, drained."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.pipeline.background import BackgroundWork


async def test_jobs_of_one_conversation_run_in_the_order_submitted():
    work = BackgroundWork()
    done: list[str] = []

    def job(name: str, delay: float):
        async def run() -> None:
            await asyncio.sleep(delay)
            done.append(name)

        return run

    work.submit("sms:+1", job("first, slow", 0.05))
    work.submit("sms:+1", job("second, fast", 0))

    assert await work.drain(5)
    assert done == ["first, slow", "second, fast"]


async def test_different_conversations_run_side_by_side():
    work = BackgroundWork()
    first_started = asyncio.Event()
    release = asyncio.Event()
    done: list[str] = []

    async def blocked() -> None:
        first_started.set()
        await release.wait()
        done.append("blocked")

    async def free() -> None:
        done.append("free")

    work.submit("a", blocked)
    await first_started.wait()
    await work.submit("b", free)  # finishes while "a" still waits

    assert done == ["free"]
    release.set()
    assert await work.drain(5)
    assert done == ["free", "blocked"]


async def test_a_failed_job_is_logged_and_the_next_one_still_runs(caplog: pytest.LogCaptureFixture):
    work = BackgroundWork()
    done: list[str] = []

    async def broken() -> None:
        raise RuntimeError("the database went away")

    async def after() -> None:
        done.append("after")

    with caplog.at_level(logging.ERROR, logger="bot.pipeline.background"):
        work.submit("k", broken, name="answer")
        work.submit("k", after)
        assert await work.drain(5)

    assert done == ["after"]
    assert "background answer failed" in caplog.text
    assert "the database went away" in caplog.text
    assert work.pending == 0


async def test_drain_cancels_what_does_not_finish_in_time():
    work = BackgroundWork()
    cancelled = asyncio.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    work.submit("k", forever)
    await asyncio.sleep(0)

    assert await work.drain(0.05) is False
    assert cancelled.is_set()
    assert work.pending == 0
