"""The answering pipeline under real processes: kill -9, several workers, STOP, re-deliveries.

Real ``bot serve`` / ``bot worker`` processes receive signed SMS webhooks and
send through a fake Twilio on 127.0.0.1, where every send is counted. A reply
is ``Re: <text>``, so each can be matched to the message it answers.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.testing.processes import BotProcess, Texter, pipeline_env, start_bot, texter, wait_for
from channels.sms.testing import FakeTwilio, run_fake_twilio
from memory.db import Database
from memory.models import Message
from tests.support.postgres import database_url

pytestmark = pytest.mark.slow_process


@asynccontextmanager
async def harness(kind: str, tmp_path: Path) -> AsyncIterator[tuple[str, FakeTwilio, Texter]]:
    async with (
        database_url(kind, tmp_path) as url,
        run_fake_twilio() as fake,
        httpx.AsyncClient(timeout=10) as http,
    ):
        yield url, fake, texter(http, fake)


def replies_to(fake: FakeTwilio, number: str | None = None) -> Counter[str]:
    """How many times each text was answered (optionally: to ``number``)."""
    return Counter(
        m["Body"].removeprefix("Re: ") for m in fake.messages if number is None or m["To"] == number
    )


async def unknown_sends(url: str) -> int:
    db = Database(url)
    try:
        async with db.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count()).select_from(Message).where(Message.send_state == "unknown")
                )
            )
    finally:
        await db.dispose()


def stop_all(*bots: BotProcess) -> None:
    for bot in bots:
        bot.stop()


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_kill_9_mid_stream_then_restart_answers_every_acknowledged_message_once(
    kind: str, tmp_path: Path
):
    async with harness(kind, tmp_path) as (url, fake, sms):
        env = pipeline_env(url, fake, tmp_path, SLOW_REPLY_S="1")
        workers: list[BotProcess] = []
        if kind == "postgresql":  # web apart, two workers; one worker dies with the web
            serve = await start_bot(["serve", "--no-worker"], env, tmp_path, "serve1")
            workers = [await start_bot(["worker"], env, tmp_path, f"w{i}") for i in (1, 2)]
        else:  # SQLite: one process answers in-process
            serve = await start_bot(["serve"], env, tmp_path, "serve1")
        acknowledged: list[str] = []

        async def stream(start: int, count: int, url_of: BotProcess) -> None:
            for n in range(start, start + count):
                text = f"message {n}"
                sender = f"+1555010{n % 10:04d}"
                if await sms.text(url_of.url or "", text, sender=sender) == 200:
                    acknowledged.append(text)
                await asyncio.sleep(0.1)  # 10 a second

        await stream(0, 25, serve)  # 2.5 s: about 10 answers are in the model now
        serve.kill()
        if workers:
            workers[0].kill()
        serve = await start_bot(
            ["serve", "--no-worker"] if workers else ["serve"], env, tmp_path, "serve2"
        )
        await stream(25, 15, serve)

        def answered() -> bool:
            replies = replies_to(fake)
            return all(replies[text] >= 1 for text in acknowledged)

        done = await wait_for(answered)
        await asyncio.sleep(2)  # any late second send would show now
        stop_all(serve, *workers[1:])
        replies = replies_to(fake)
        unknown = await unknown_sends(url)
        print(f"{kind}: {len(acknowledged)} acknowledged, {unknown} send(s) recorded unknown")
        missing = [t for t in acknowledged if replies[t] == 0]
        twice = [t for t in acknowledged if replies[t] > 1]
        assert twice == []
        # Only a send in flight at the kill may be missing, and then it is recorded unknown.
        assert len(missing) <= unknown, (done, missing)


async def test_two_workers_answer_one_conversation_in_order(tmp_path: Path):
    async with harness("postgresql", tmp_path) as (url, fake, sms):
        env = pipeline_env(
            url, fake, tmp_path, AI_PROVIDER="function:bot.testing.slow_replies:jittery_echo"
        )
        serve = await start_bot(["serve", "--no-worker"], env, tmp_path, "serve")
        workers = [await start_bot(["worker"], env, tmp_path, f"w{i}") for i in (1, 2)]
        texts = [f"question {n}" for n in range(1, 21)]
        for text in texts:
            assert await sms.text(serve.url or "", text, sender="+15550109999") == 200
        await wait_for(lambda: len(fake.messages) >= 20, 120)
        stop_all(serve, *workers)

        assert [m["Body"] for m in fake.messages] == [f"Re: {t}" for t in texts]


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_no_send_to_a_number_after_its_stop_is_acknowledged(kind: str, tmp_path: Path):
    async with harness(kind, tmp_path) as (url, fake, sms):
        env = pipeline_env(url, fake, tmp_path, SLOW_REPLY_S="1")
        serve = await start_bot(["serve"], env, tmp_path, "serve")
        customer = "+15550107777"
        for n in range(3):
            assert await sms.text(serve.url or "", f"queued {n}", sender=customer) == 200
        assert await sms.text(serve.url or "", "STOP", sender=customer) == 200
        sends_at_ack = len(replies_to(fake, customer))
        # Another customer's answer shows the queue has moved on past the queued ones.
        other = "+15550108888"
        assert await sms.text(serve.url or "", "after", sender=other) == 200
        assert await wait_for(lambda: any(m["To"] == other for m in fake.messages))
        await asyncio.sleep(1.5)
        serve.stop()

        assert sends_at_ack == 0
        assert sum(replies_to(fake, customer).values()) == 0


async def test_three_concurrent_redeliveries_of_50_messages_get_50_replies(tmp_path: Path):
    async with harness("postgresql", tmp_path) as (url, fake, sms):
        env = pipeline_env(url, fake, tmp_path, SLOW_REPLY_S="0")
        serve = await start_bot(["serve", "--workers", "2"], env, tmp_path, "serve")
        sids = [f"SM{n:032x}" for n in range(50)]

        # "message N" shares no word with the routing examples: the default agent
        # answers with the echo ("text N" reads as "text me back": a person).
        async def deliver(n: int) -> int:
            return await sms.text(
                serve.url or "", f"message {n}", sender=f"+1555011{n:04d}", sid=sids[n]
            )

        statuses = await asyncio.gather(*(deliver(n) for n in range(50) for _ in range(3)))
        assert set(statuses) == {200}
        await wait_for(lambda: len(fake.messages) >= 50)
        async with httpx.AsyncClient() as http:
            await wait_for_idle_queue(http, serve.url or "")
        serve.stop()

        assert len(fake.messages) == 50
        assert set(replies_to(fake).values()) == {1}


async def wait_for_idle_queue(http: httpx.AsyncClient, url: str) -> None:
    for _ in range(300):
        queue = (await http.get(f"{url}/healthz")).json()["queue"]
        if queue.get("waiting") == 0 and queue.get("running") == 0:
            return
        await asyncio.sleep(0.1)
