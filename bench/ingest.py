"""Signed SMS webhooks acknowledged per second, and answers per second, against real processes.

N signed inbound SMS (default 1,000, distinct senders) are posted with 50 in
flight (or at ``--rate`` per second) to ``bot serve``, which sends its
replies to a fake Twilio on 127.0.0.1. One JSON line per configuration:

- ``postgresql-no-worker``: ``bot serve --no-worker`` only acknowledges; a
  ``bot worker`` answers afterwards, so replies are counted too.
- ``postgresql``: ``bot serve`` with its in-process worker; with ``--rate``
  and ``--model-s`` it is the "1 s model, 100 messages/s offered" case.
- ``sqlite``: the embedded default (always in-process).
- ``answers-1`` / ``answers-2`` (``--answers``): the messages are stored first
  (``--no-worker``), then 1 or 2 ``bot worker`` processes answer them: answers
  per second from the first reply at the fake Twilio to the last.

Every line has acknowledgements per second and their latency p50/p99, the
``bot serve`` process's CPU milliseconds per acknowledged (and, worker on,
per answered) message, the replies counted at the fake, and, where a
worker ran during the ingest, the time from each acknowledgement to the
start of its answer's model call (p50/p99, ``ack_to_start``: the job's wait
and the worker's reads before the model).
The load generator, the fake, PostgreSQL and the bot share the machine's
cores; ``load_avg`` is the machine's 1-minute load average at the end.

    python -m bench.ingest [--messages 1000] [--in-flight 50] [--rate 0] [--model-s 0]
        [--web-workers 1] [--only CONFIG] [--answers]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from bot.testing.processes import fresh_postgres, pipeline_env, start_bot
from bot.testing.sms_bot import FROM_NUMBER, PUBLIC_URL
from channels.sms.testing import TwilioSigner, inbound_form, run_fake_twilio

CONFIGS = ("postgresql-no-worker", "postgresql", "sqlite", "answers-1", "answers-2")


def _cpu_s(matches: Callable[[str, list[str]], bool]) -> float | None:
    """CPU seconds (user + system) used so far by the live processes ``matches``
    accepts (given each one's name and /proc stat fields); None off Linux.

    The figure a loaded machine changes least: throughput and latency follow
    whatever share of the cores the bot gets, its CPU per message does not.
    """
    if not Path("/proc/self/stat").exists():
        return None
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, _, rest = stat.read_text().rpartition(")")
        except OSError:
            continue  # gone since the listing
        fields = rest.split()
        if matches(name.partition("(")[2], fields):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _group_cpu_s(pid: int) -> float | None:
    """The CPU seconds of process group ``pid``: ``bot serve`` and its uvicorn workers."""
    return _cpu_s(lambda _, fields: int(fields[2]) == pid)


def _postgres_cpu_s() -> float:
    """The CPU seconds of every ``postgres`` process on this machine (0 off Linux)."""
    return _cpu_s(lambda name, _: name == "postgres") or 0.0


def _signed_requests(auth_token: str, count: int) -> list[tuple[bytes, dict[str, str]]]:
    """``count`` inbound SMS webhooks from distinct senders, signed as Twilio signs them."""
    signer = TwilioSigner(auth_token, PUBLIC_URL)
    requests = []
    for n in range(count):
        form = inbound_form(f"hello {n}", sender=f"+1555{n:07d}", to=FROM_NUMBER)
        headers = {
            **signer.headers("/sms/inbound", form),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        requests.append((urlencode(form).encode(), headers))
    return requests


def _quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    cuts = statistics.quantiles(values, n=100)
    return round(cuts[49], 1), round(cuts[98], 1)


def _ack_to_start(stamps: Path, acked_at: dict[str, float]) -> tuple[float, float] | None:
    """p50/p99 ms from each acknowledgement to its model call's start (`slow_echo`'s stamps)."""
    if not stamps.exists():
        return None
    waits = []
    for line in stamps.read_text().splitlines():
        at, _, text = line.partition(" ")
        if text in acked_at:
            waits.append((float(at) - acked_at[text]) * 1000)
    return _quantiles(waits) if waits else None


async def _replies_timed(fake, expected: int, seconds: float) -> tuple[float, float]:
    """(first reply's time, last reply's time) as the fake saw them arrive."""
    first = None
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while len(fake.messages) < expected:
                if first is None and fake.messages:
                    first = time.perf_counter()
                await asyncio.sleep(0.005)
    now = time.perf_counter()
    return first or now, now


async def one_run(kind: str, url: str, args: argparse.Namespace, tmp: Path) -> dict:
    stamps = tmp / "stamps.txt"
    answers = int(kind.removeprefix("answers-")) if kind.startswith("answers-") else 0
    connector = aiohttp.TCPConnector(limit=args.in_flight)
    async with (
        run_fake_twilio() as fake,
        aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(30)) as client,
    ):
        env = pipeline_env(url, fake, tmp, SLOW_REPLY_S=str(args.model_s))
        env["REPLY_STAMPS"] = str(stamps)
        # Enough answers at once for the offered load: a 1 s model at 100/s needs ~100.
        env.setdefault("WORKER_CONCURRENCY", str(max(10, int(args.rate * (args.model_s + 0.2)))))
        worker_on = kind in ("postgresql", "sqlite")
        command = ["serve"] if worker_on else ["serve", "--no-worker"]
        if args.web_workers > 1:
            command += ["--workers", str(args.web_workers)]
        serve = await start_bot(command, env, tmp, kind)
        # Signed and encoded before the clock starts, posted with aiohttp (a fifth of
        # httpx's CPU per request): the load generator shares the cores with the bot,
        # and what it spends is taken from the figure being measured.
        requests = _signed_requests(fake.auth_token, args.messages)
        latencies: list[float] = []
        acked_at: dict[str, float] = {}
        gate = asyncio.Semaphore(args.in_flight)
        inbound = f"{serve.url}/sms/inbound"

        async def post(n: int) -> None:
            body, headers = requests[n]
            async with gate:
                started = time.perf_counter()
                try:
                    async with client.post(inbound, data=body, headers=headers) as response:
                        await response.read()
                        status = response.status
                except aiohttp.ClientError:
                    status = 0
                if status == 200:
                    latencies.append((time.perf_counter() - started) * 1000)
                    acked_at[f"hello {n}"] = time.time()

        serve_cpu = _group_cpu_s(serve.process.pid)
        client_cpu, database_cpu = time.process_time(), _postgres_cpu_s()
        started = time.perf_counter()
        posts = []
        for n in range(args.messages):
            if args.rate > 0:  # an open loop: messages arrive on time, acknowledged or not
                await asyncio.sleep(max(0.0, started + n / args.rate - time.perf_counter()))
                posts.append(asyncio.create_task(post(n)))
            else:
                posts.append(post(n))
        await asyncio.gather(*posts)
        ingest_s = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
        database_cpu = _postgres_cpu_s() - database_cpu
        workers = []
        if not worker_on:
            for i in range(max(1, answers)):
                workers.append(await start_bot(["worker"], env, tmp, f"{kind}-w{i}"))
        ingest_cpu = _group_cpu_s(serve.process.pid)
        database_before = _postgres_cpu_s()
        first, last = await _replies_timed(fake, len(latencies), seconds=args.timeout_s)
        answering_cpu = {
            "workers": sum(_group_cpu_s(w.process.pid) or 0.0 for w in workers),
            "postgres": _postgres_cpu_s() - database_before,
        }
        answered_s = time.perf_counter() - started
        answered_cpu = _group_cpu_s(serve.process.pid)
        for process in (serve, *workers):
            process.stop()
        if len(fake.messages) < len(latencies) and args.keep_logs:
            for process in (serve, *workers):
                print(process.log.read_text()[-3000:])
    p50, p99 = _quantiles(latencies)
    per_message = {}
    if serve_cpu is not None and ingest_cpu is not None and answered_cpu is not None:
        # The web process's CPU per message: acknowledging only, and (worker on)
        # acknowledging and answering.
        ack_cpu = ingest_cpu - serve_cpu
        per_message["serve_cpu_ms_per_ack"] = round(ack_cpu * 1000 / args.messages, 2)
        # Where the rest of the cores went while acknowledging: the load
        # generator (this process, signing and posting) and PostgreSQL.
        per_message["client_cpu_ms_per_ack"] = round(client_cpu * 1000 / args.messages, 2)
        if database_cpu:
            per_message["postgres_cpu_ms_per_ack"] = round(database_cpu * 1000 / args.messages, 2)
        if worker_on:
            per_message["serve_cpu_ms_per_answered"] = round(
                (answered_cpu - serve_cpu) * 1000 / max(1, len(fake.messages)), 2
            )
    result = {
        "bench": "ingest",
        "config": kind,
        "messages": args.messages,
        "in_flight": args.in_flight,
        "offered_per_s": args.rate or None,
        "web_workers": args.web_workers,
        "model_s": args.model_s,
        "acknowledged": len(latencies),
        "acks_per_s": round(len(latencies) / ingest_s, 1),
        "ack_p50_ms": p50,
        "ack_p99_ms": p99,
        "replies": len(fake.messages),
        "replies_per_s_overall": round(len(fake.messages) / answered_s, 1),
        **per_message,
    }
    if answers:
        result["answer_workers"] = answers
        # CPU per answer while answering: the worker processes' and PostgreSQL's.
        replies = max(1, len(fake.messages))
        for name, seconds in answering_cpu.items():
            result[f"{name}_cpu_ms_per_answer"] = round(seconds * 1000 / replies, 2)
        result["answers_per_s"] = round((len(fake.messages) - 1) / max(last - first, 1e-6), 1)
    elif worker_on and (waits := _ack_to_start(stamps, acked_at)) is not None:
        result["ack_to_start_p50_ms"], result["ack_to_start_p99_ms"] = waits
    result["cpus"] = os.cpu_count()
    result["load_avg"] = round(os.getloadavg()[0], 2)
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--rate", type=float, default=0.0, help="messages/s offered (0: max)")
    parser.add_argument("--model-s", type=float, default=0.0)
    parser.add_argument("--web-workers", type=int, default=1, help="bot serve --workers")
    parser.add_argument("--timeout-s", type=float, default=300.0, help="wait for replies")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", ""),
        help="a PostgreSQL server (a fresh database is created on it); empty: SQLite only",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="print logs when replies are missing"
    )
    parser.add_argument("--only", choices=CONFIGS, action="append")
    parser.add_argument("--answers", action="store_true", help="also answers-1 and answers-2")
    args = parser.parse_args()
    kinds = ["postgresql-no-worker", "postgresql", "sqlite"] if args.database_url else ["sqlite"]
    if args.answers and args.database_url:
        kinds += ["answers-1", "answers-2"]
    for kind in args.only or kinds:
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
