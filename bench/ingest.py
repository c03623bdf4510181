"""Signed SMS webhooks acknowledged per second, against a real ``bot serve`` process.

N signed inbound SMS (default 1,000, distinct senders) are posted with 50 in
flight to ``bot serve``, which sends its replies to a fake Twilio on
127.0.0.1. Prints one JSON line per configuration: acknowledgements per
second, acknowledgement latency p50/p99, and the time until every reply
reached the fake (the answering rate).

Configurations: PostgreSQL with the in-process worker off (``--no-worker``)
and on, and SQLite (always in-process). With the worker off, a ``bot worker``
process is started after the ingest to answer, so replies are counted too.
The load generator, PostgreSQL and the bot share the machine's cores.

    python bench/ingest.py [--messages 1000] [--in-flight 50] [--model-s 0]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from tests.support.fake_twilio import run_fake_twilio
from tests.support.processes import (
    fresh_postgres,
    pipeline_env,
    start_bot,
    texter,
)


async def one_run(kind: str, url: str, args: argparse.Namespace, tmp: Path) -> dict:
    async with run_fake_twilio() as fake, httpx.AsyncClient(timeout=30) as http:
        env = pipeline_env(url, fake, tmp, SLOW_REPLY_S=str(args.model_s))
        worker_on = kind != "postgresql-no-worker"
        serve = await start_bot(
            ["serve"] if worker_on else ["serve", "--no-worker"], env, tmp, kind
        )
        sms = texter(http, fake)
        latencies: list[float] = []
        gate = asyncio.Semaphore(args.in_flight)

        async def post(n: int) -> None:
            async with gate:
                started = time.perf_counter()
                status = await sms.text(serve.url or "", f"hello {n}", sender=f"+1555{n:07d}")
                if status == 200:
                    latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(post(n) for n in range(args.messages)))
        ingest_s = time.perf_counter() - started
        worker = None if worker_on else await start_bot(["worker"], env, tmp, f"{kind}-w")
        with contextlib.suppress(TimeoutError):  # reported: replies < acknowledged
            await fake.wait_for_messages(len(latencies), seconds=600)
        answered_s = time.perf_counter() - started
        for process in (serve, worker):
            if process is not None:
                process.stop()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "bench": "ingest",
        "config": kind,
        "messages": args.messages,
        "in_flight": args.in_flight,
        "model_s": args.model_s,
        "acknowledged": len(latencies),
        "acks_per_s": round(len(latencies) / ingest_s, 1),
        "ack_p50_ms": round(quantiles[49], 1),
        "ack_p99_ms": round(quantiles[98], 1),
        "replies": len(fake.messages),
        "replies_per_s_overall": round(len(fake.messages) / answered_s, 1),
        "cpus": os.cpu_count(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--model-s", type=float, default=0.0)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", ""),
        help="a PostgreSQL server (a fresh database is created on it); empty: SQLite only",
    )
    parser.add_argument("--only", choices=["postgresql", "postgresql-no-worker", "sqlite"])
    args = parser.parse_args()
    kinds = ["postgresql-no-worker", "postgresql", "sqlite"] if args.database_url else ["sqlite"]
    for kind in [args.only] if args.only else kinds:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            if kind == "sqlite":
                result = await one_run(kind, f"sqlite+aiosqlite:///{tmp / 'bot.db'}", args, tmp)
            else:
                async with fresh_postgres(args.database_url) as url:
                    result = await one_run(kind, url, args, tmp)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
