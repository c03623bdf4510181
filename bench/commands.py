"""How fast /compare and batch /enrich are, against fake vendors that take a set time.

1. One compare: three models answering in 200, 400 and 800 ms. Wall time
   divided by 800 ms; the target is under 1.05 (answers run side by side:
   the slowest sets the pace, not the sum).
2. 100 compares at once, each a different question from a different
   teammate (so neither the cache nor the rate limit applies): the time
   until all are stored; the target is 1.2 s.

   Both are run twice: with fake models in this process (``function:``
   models that sleep: the bot's own cost, orchestration and database), and
   with the fake OpenAI, Anthropic and Groq servers through the vendors'
   official SDKs (real HTTP on loopback: the SDKs' client cost too). The
   same burst made with the bare SDKs and no bot code (``sdks_alone_s``)
   shows the floor the SDKs set.
3. Batch /enrich of 1,000 contacts from a CSV at concurrency 50, with the
   fake Tavily and a fake OpenAI model each answering in 200 ms: the target
   is under 10 s (the floor is 1,000 / 50 × 0.4 s = 8 s).

The bot's services run in this process on a real database (SQLite in a
temporary folder, or ``--database-url``), with the load; the fake vendors run
in a child process (`bench.vendor_process`), as real vendors run on their
own machines. It runs on uvloop, as `bot serve` does (``--asyncio`` for the
standard loop). Prints one JSON line.

    python -m bench.commands [--compares 100] [--contacts 1000] [--concurrency 50]
                             [--database-url URL] [--skip-enrich] [--skip-compare]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvloop

from agents.providers.base import ChatMessage, Completion
from agents.providers.catalogue import load_catalogue
from bench.databases import drop, fresh_database
from bench.vendor_process import vendor_process
from bot.enrich.batch import EnrichBatch
from bot.enrich.batch_csv import read_rows
from bot.runtime import Runtime
from bot.settings import load_settings
from memory.db import Database

COMPARE_DELAYS_S = {"openai": 0.2, "anthropic": 0.4, "groq": 0.8}
ANSWER = (
    "A party of 15 costs $450 with the standard menu.\n\n"
    "- Starters and mains included\n- Drinks are extra\n- Book a week ahead"
)
ENRICH_DELAY_S = 0.2
#: What the fake Tavily finds for everyone, and the draft the fake model writes from it.
PAGE = {
    "url": "https://example.com/team",
    "content": "Our events team is planning three corporate dinners this spring.",
}
DRAFT = {
    "expertise_areas": ["event planning"],
    "project_fit": "Corporate catering for their spring dinners.",
    "outreach_approach": "Mention the spring dinners and offer a tasting.",
    "first_message": "Hi! I saw you are planning spring dinners; can we help?",
    "email": None,
    "lead_score": 0.6,
    "intent_signals": [
        {
            "signal": "planning corporate dinners",
            "source_url": PAGE["url"],
            "evidence": "planning three corporate dinners this spring",
        }
    ],
}
TARGET_RATIO = 1.05
TARGET_ALL_AT_ONCE_S = 1.2
TARGET_BATCH_S = 10.0


async def _answer_after(delay: float, messages: Sequence[ChatMessage]) -> Completion:
    await asyncio.sleep(delay)
    return Completion(
        text=ANSWER,
        model=f"in-{int(delay * 1000)}ms",
        provider="function",
        input_tokens=sum(len(m.content.split()) for m in messages),
        output_tokens=len(ANSWER.split()),
        cost_usd=0.0001,
    )


async def in_200ms(messages: Sequence[ChatMessage]) -> Completion:
    """A fake model in this process that answers in 200 ms."""
    return await _answer_after(0.2, messages)


async def in_400ms(messages: Sequence[ChatMessage]) -> Completion:
    """A fake model in this process that answers in 400 ms."""
    return await _answer_after(0.4, messages)


async def in_800ms(messages: Sequence[ChatMessage]) -> Completion:
    """A fake model in this process that answers in 800 ms."""
    return await _answer_after(0.8, messages)


FUNCTION_MODELS = ",".join(
    f"function:bench.commands:{name}" for name in ("in_200ms", "in_400ms", "in_800ms")
)


def vendor_settings(urls: dict[str, str]) -> dict[str, str]:
    """Keys and base URLs pointing the bot's model providers at the fakes."""
    settings: dict[str, str] = {}
    for vendor in ("openai", "anthropic", "groq"):
        if vendor in urls:
            settings[f"{vendor}_api_key"] = f"key-bench-{vendor}"
            settings[f"{vendor}_base_url"] = urls[vendor]
    if "tavily" in urls:
        settings["tavily_api_key"] = "tvly-bench"
        settings["tavily_base_url"] = urls["tavily"]
    return settings


@asynccontextmanager
async def running_bot(url: str, db: Database, **overrides: Any) -> AsyncIterator[Runtime]:
    """The bot's runtime on ``db`` with ``overrides`` as settings."""
    settings = load_settings(_env_file=None, database_url=url, ai_last_resort="none", **overrides)
    runtime = await Runtime.start(settings, db=db, migrate=False)
    try:
        yield runtime
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)


async def compare_figures(runtime: Runtime, compares: int, label: str) -> dict[str, Any]:
    """One compare at a time (wall / slowest), then ``compares`` at once."""
    service = runtime.compare
    slowest = max(COMPARE_DELAYS_S.values())
    # Warm up as a burst: the SDKs' connection pools open their connections once.
    await asyncio.gather(
        *(
            service.compare(f"Warm up {n}", asker=f"bench:warm{n}", fresh=True)
            for n in range(compares)
        )
    )
    ratios = []
    for n in range(5):
        started = time.perf_counter()
        result = await service.compare(
            f"{label}: a party of {15 + n}?", asker="bench:one", fresh=True
        )
        wall = time.perf_counter() - started
        assert all(a.status == "ok" for a in result.answers), result.answers
        ratios.append(wall / slowest)

    started = time.perf_counter()
    results = await asyncio.gather(
        *(
            service.compare(
                f"{label} {n}: can you cater for {n} guests?", asker=f"bench:{n}", fresh=True
            )
            for n in range(compares)
        )
    )
    all_at_once = time.perf_counter() - started
    return {
        "one_compare_wall_over_800ms": {
            "best": round(min(ratios), 3),
            "median": round(sorted(ratios)[len(ratios) // 2], 3),
            "worst": round(max(ratios), 3),
            "target": TARGET_RATIO,
        },
        "at_once": {
            "compares": compares,
            "seconds": round(all_at_once, 3),
            "answers_ok": sum(a.status == "ok" for r in results for a in r.answers),
            "not_ok": sorted(
                {f"{a.model_id}: {a.error}" for r in results for a in r.answers if a.status != "ok"}
            ),
            "target_s": TARGET_ALL_AT_ONCE_S,
        },
    }


async def sdks_alone(urls: dict[str, str], compares: int) -> float:
    """Seconds for the same burst of calls made with the bare SDKs, no bot code at all.

    The floor the SDKs' own client cost sets for ``compares`` compares at once,
    asking each vendor's default model, as the bot's line-up does.
    """
    import anthropic
    import groq
    import openai

    models = load_catalogue().defaults

    clients = (
        openai.AsyncOpenAI(api_key="key", base_url=urls["openai"], max_retries=0),
        anthropic.AsyncAnthropic(api_key="key", base_url=urls["anthropic"], max_retries=0),
        groq.AsyncGroq(api_key="key", base_url=urls["groq"], max_retries=0),
    )
    openai_client, anthropic_client, groq_client = clients

    async def one(n: int) -> None:
        messages: Any = [{"role": "user", "content": f"Question {n}"}]
        await asyncio.gather(
            openai_client.chat.completions.create(model=models["openai"], messages=messages),
            anthropic_client.messages.create(
                model=models["anthropic"], max_tokens=600, messages=messages
            ),
            groq_client.chat.completions.create(model=models["groq"], messages=messages),
        )

    await asyncio.gather(*(one(n) for n in range(compares)))  # open the connections
    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(compares)))
    seconds = time.perf_counter() - started
    for client in clients:
        await client.close()
    return round(seconds, 3)


async def enrich_figures(
    runtime: Runtime, folder: Path, contacts: int, concurrency: int
) -> dict[str, Any]:
    """A CSV of ``contacts`` new people enriched at ``concurrency``, then the same file again."""
    rows = folder / "contacts.csv"
    with rows.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "email"])
        for n in range(contacts):
            writer.writerow([f"Person {n}", f"person{n}@company{n}.com"])
    out = folder / "results.jsonl"
    started = time.perf_counter()
    summary = await EnrichBatch(runtime.enrich, out=out, concurrency=concurrency).run(
        read_rows(rows)
    )
    first = time.perf_counter() - started
    # A second run over a fresh out file: every row is served from the store.
    started = time.perf_counter()
    again = await EnrichBatch(
        runtime.enrich, out=folder / "again.jsonl", concurrency=concurrency
    ).run(read_rows(rows))
    reused = time.perf_counter() - started
    return {
        "contacts": contacts,
        "concurrency": concurrency,
        "seconds": round(first, 2),
        "rows_per_s": round(contacts / first, 1),
        "done": summary.done,
        "failed": summary.failed,
        "floor_s": round(contacts / concurrency * 2 * ENRICH_DELAY_S, 2),
        "target_s": TARGET_BATCH_S,
        "again_from_store_s": round(reused, 2),
        "again_reused": again.reused,
    }


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = await fresh_database(args.database_url, folder, "bench.db")
        url = db.url
        figures: dict[str, Any] = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "database": db.dialect,
            "loop": type(asyncio.get_running_loop()).__module__.split(".")[0],
        }
        fakes: dict[str, dict[str, Any]] = {
            vendor: {"delay": delay, "text": ANSWER} for vendor, delay in COMPARE_DELAYS_S.items()
        }
        fakes["tavily"] = {"delay": ENRICH_DELAY_S, "pages": [PAGE]}
        async with vendor_process(fakes) as urls:
            vendors = vendor_settings(urls)
            if not args.skip_compare:
                rate = {"compare_rate_limit": 10_000, "ai_provider": "function:echo"}
                async with running_bot(url, db, compare_models=FUNCTION_MODELS, **rate) as rt:
                    figures["compare_function_models"] = await compare_figures(
                        rt, args.compares, "function"
                    )
                models = "openai,anthropic,groq"
                async with running_bot(url, db, compare_models=models, **rate, **vendors) as rt:
                    figures["compare_vendor_sdks"] = await compare_figures(
                        rt, args.compares, "vendors"
                    )
                figures["compare_vendor_sdks"]["at_once"]["sdks_alone_s"] = await sdks_alone(
                    urls, args.compares
                )
        if not args.skip_enrich:
            # The model's fake must answer with the draft: a vendor process of its own.
            enrich_fakes = {
                "openai": {"delay": ENRICH_DELAY_S, "text": json.dumps(DRAFT)},
                "tavily": {"delay": ENRICH_DELAY_S, "pages": [PAGE]},
            }
            async with (
                vendor_process(enrich_fakes) as urls,
                running_bot(url, db, ai_provider="openai", **vendor_settings(urls)) as rt,
            ):
                figures["enrich_batch"] = await enrich_figures(
                    rt, Path(folder), args.contacts, args.concurrency
                )
        await drop(db)
        print(json.dumps(figures))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.commands", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--compares", type=int, default=100)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--skip-enrich", action="store_true")
    parser.add_argument(
        "--asyncio", action="store_true", help="The stdlib event loop instead of uvloop."
    )
    arguments = parser.parse_args()
    if not arguments.asyncio:
        uvloop.install()  # what `bot serve` runs on (uvicorn picks uvloop when installed)
    asyncio.run(main(arguments))
