"""How fast the channel webhooks answer their vendors.

1. Slack: with a model that takes 5 s to answer, the time from a signed
   ``/ask`` slash command POST to its HTTP 200 (N requests, default 200, one
   after another, each from its own channel so their answers run side by
   side). Slack wants the 200 within 3 s; the target is a p99 under 100 ms.
   The answers are then awaited on the fake's ``response_url`` to show each
   command was answered, not just acknowledged.
2. SMS: signed inbound webhooks per second, sustained, with a model that
   answers at once: M messages (default 2,000) from C concurrent senders
   (default 8), each stored before Twilio gets its empty TwiML. Then the time
   until every reply reached the fake Twilio, for the end-to-end rate.

Everything runs in one process on loopback: the app under uvicorn, the fake
Slack and fake Twilio servers (channels/*/testing.py), and the clients, so the
figures include the clients' own cost. Prints one JSON line.

    python -m bench.channels [--commands 200] [--sms 2000] [--senders 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bench.databases import drop, fresh_database
from bot.testing.slack_bot import running_slack_bot
from bot.testing.sms_bot import running_sms_bot
from channels.slack.testing import run_fake_slack
from channels.sms.testing import inbound_form
from memory.db import Database

MODEL_SECONDS = 5.0
TARGET_P99_MS = 100.0


def percentiles(latencies_s: Sequence[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in latencies_s)
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p99_ms": round(ms[max(0, int(len(ms) * 0.99) - 1)], 2),
        "max_ms": round(ms[-1], 2),
    }


async def slow_model(messages: Sequence[ChatMessage]) -> str:
    await asyncio.sleep(MODEL_SECONDS)
    return f"Answer to: {messages[-1].content}"


async def slack_acks(db: Database, commands: int) -> dict[str, object]:
    async with (
        run_fake_slack() as fake,
        running_slack_bot(fake, db, FunctionProvider(slow_model, model="slow")) as bot,
    ):
        users = [f"U{n:03}" for n in range(10)]
        for user in users:  # first sight of a user looks up the profile: warm it up
            fake.add_user(user, name=f"Teammate {user}")
            await bot.command("/bot-help", user_id=user, channel_id="CWARM")
        await bot.settle()
        answered_before = len(fake.responses)
        latencies = []
        for n in range(commands):
            started = time.perf_counter()
            response = await bot.command(
                "/ask", f"question {n}", user_id=users[n % len(users)], channel_id=f"C{n:04}"
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        sent_all = time.perf_counter()
        await fake.wait_for(
            lambda: len(fake.responses) - answered_before >= commands, within=MODEL_SECONDS * 4
        )
        return {
            "commands": commands,
            "model_seconds": MODEL_SECONDS,
            **percentiles(latencies),
            "target_p99_ms": TARGET_P99_MS,
            "all_answered_s_after_last_ack": round(time.perf_counter() - sent_all, 2),
        }


async def sms_throughput(db: Database, messages: int, senders: int) -> dict[str, object]:
    # Each sender texts far faster and more than a person: the per-sender limits are
    # off (0), so every message is answered (past them, messages are only stored).
    async with running_sms_bot(db, inbound_burst_limit=0, inbound_daily_limit=0) as bot:
        bot.runtime.orchestrator.provider = FunctionProvider(lambda _m: "Thanks, noted.")
        for n in range(senders):  # warm-up: connections, first contacts
            await bot.text("hello", sender=f"+1555030{n:04}")
        await bot.settle()
        sent_before = len(bot.fake.messages)
        per_sender = messages // senders
        latencies: list[float] = []

        async def sender(number: int) -> None:
            phone = f"+1555030{number:04}"
            for _ in range(per_sender):
                form = inbound_form("Do you cater on Sundays?", sender=phone)
                started = time.perf_counter()
                response = await bot.post("/sms/inbound", form)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text

        started = time.perf_counter()
        await asyncio.gather(*(sender(n) for n in range(senders)))
        acked = time.perf_counter() - started
        total = per_sender * senders
        await bot.fake.wait_for_messages(sent_before + total, seconds=120)
        replied = time.perf_counter() - started
        return {
            "messages": total,
            "senders": senders,
            "webhooks_per_s": round(total / acked, 1),
            "ack": percentiles(latencies),
            "replies_per_s_end_to_end": round(total / replied, 1),
        }


async def main(commands: int, sms: int, senders: int, database_url: str | None) -> None:
    result: dict[str, object] = {
        "benchmark": "channels",
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
    }
    with tempfile.TemporaryDirectory() as folder:
        db = await fresh_database(database_url, folder, "slack.db")
        result["database"] = db.dialect
        try:
            result["slack_command_ack"] = await slack_acks(db, commands)
        finally:
            await drop(db)
        db = await fresh_database(database_url, folder, "sms.db")
        try:
            result["sms_inbound"] = await sms_throughput(db, sms, senders)
        finally:
            await drop(db)
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.channels", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--sms", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--database-url", help="default: a fresh SQLite file per part")
    args = parser.parse_args()
    asyncio.run(main(args.commands, args.sms, args.senders, args.database_url))
