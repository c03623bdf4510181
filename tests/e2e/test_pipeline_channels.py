"""The pipeline under real processes on Slack and Telegram, and a graceful stop (SIGTERM).

- Two ``bot worker`` processes answer one Slack DM and one Telegram chat of 20
  messages each with a jittery model: the replies reach the fake Slack and the
  fake Telegram in the order the messages were sent.
- SIGTERM to ``bot serve`` (with its own worker process) and a ``bot worker`` in the
  middle of a stream of SMS: both exit cleanly, a running answer finishes or
  goes back to the queue, and a worker started later answers what is left:
  every acknowledged message once, none ``unknown``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.testing.processes import pipeline_env, start_bot, wait_for
from channels.slack.testing import BOT_TOKEN, run_fake_slack
from channels.slack.testing.inbound import SIGNING_SECRET, dm_event, event_body, signed_headers
from channels.sms.testing import run_fake_twilio
from channels.telegram.testing import run_fake_telegram
from tests.e2e.test_pipeline_processes import harness, replies_to, unknown_sends
from tests.support.postgres import database_url
from tests.support.telegram_updates import text_update

pytestmark = pytest.mark.slow_process

TELEGRAM_SECRET = "s3cret_webhook-token"


async def test_two_workers_answer_a_slack_dm_and_a_telegram_chat_in_order(tmp_path: Path):
    async with (
        database_url("postgresql", tmp_path) as url,
        run_fake_twilio() as twilio,
        run_fake_slack() as slack,
        run_fake_telegram() as telegram,
        httpx.AsyncClient(timeout=10) as http,
    ):
        env = pipeline_env(
            url,
            twilio,
            tmp_path,
            AI_PROVIDER="function:bot.testing.slow_replies:jittery_echo",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_BASE_URL=slack.api_url,
            TELEGRAM_BOT_TOKEN=telegram.token,
            TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
            TELEGRAM_API_BASE_URL=telegram.url,
        )
        serve = await start_bot(["serve", "--no-worker"], env, tmp_path, "serve")
        workers = [await start_bot(["worker"], env, tmp_path, f"w{i}") for i in (1, 2)]
        texts = [f"question {n}" for n in range(1, 21)]
        for n, text in enumerate(texts, start=1):  # interleaved: two conversations at once
            body = event_body(dm_event(text, ts=f"1700000000.{n:06d}"))
            sent = await http.post(
                f"{serve.url}/slack/events", content=body, headers=signed_headers(body)
            )
            assert sent.status_code == 200
            sent = await http.post(
                f"{serve.url}/telegram/webhook",
                json=text_update(n, text),
                headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            )
            assert sent.status_code == 200

        def slack_replies() -> list[str]:
            return [p["text"] for p in slack.posted if str(p.get("text", "")).startswith("Re: ")]

        def telegram_replies() -> list[str]:
            return [t for t in telegram.texts if t.startswith("Re: ")]

        await wait_for(lambda: len(slack_replies()) >= 20 and len(telegram_replies()) >= 20, 120)
        for bot in (serve, *workers):
            bot.stop()

        expected = [f"Re: {t}" for t in texts]
        assert slack_replies() == expected, serve.log.read_text()[-2000:]
        assert telegram_replies() == expected


async def test_sigterm_stops_serve_and_worker_without_losing_or_doubling_an_answer(
    tmp_path: Path,
):
    async with harness("postgresql", tmp_path) as (url, fake, sms):
        env = pipeline_env(url, fake, tmp_path, SLOW_REPLY_S="2", WORKER_CONCURRENCY="2")
        serve = await start_bot(["serve"], env, tmp_path, "serve")  # with its worker process
        worker = await start_bot(["worker"], env, tmp_path, "worker")

        async def both_working() -> bool:
            queue = (await sms.http.get(f"{serve.url}/healthz")).json()["queue"]
            return queue.get("workers_seen", 0) >= 2

        assert await wait_for(both_working, 90), worker.log.read_text()[-2000:]
        acknowledged: list[str] = []
        for n in range(10):  # more than the four answering at once: some wait in the queue
            if await sms.text(serve.url or "", f"message {n}", sender=f"+1555012{n:04d}") == 200:
                acknowledged.append(f"message {n}")
        assert await wait_for(lambda: len(fake.messages) >= 1, 30)  # answers are under way
        serve.terminate()
        worker.terminate()
        # After SIGTERM the web takes nothing new (refused or not acknowledged).
        late = await sms.text(serve.url or "", "too late", sender="+15550129999")
        statuses = [asyncio.to_thread(bot.process.wait, 60) for bot in (serve, worker)]
        # uvicorn re-raises the SIGTERM it caught once its graceful shutdown is over.
        assert await asyncio.gather(*statuses) == [-15, 0], worker.log.read_text()[-2000:]
        if late == 200:
            acknowledged.append("too late")

        after = await start_bot(["worker"], env, tmp_path, "after")
        await wait_for(lambda: all(replies_to(fake)[t] for t in acknowledged), 60)
        await wait_for(lambda: False, 2)  # a late second send would show now
        after.stop()

        replies = replies_to(fake)
        assert {t: replies[t] for t in acknowledged} == dict.fromkeys(acknowledged, 1)
        assert len(fake.messages) == len(acknowledged)
        assert await unknown_sends(url) == 0
