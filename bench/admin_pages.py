"""How fast the team console's pages answer on a seeded SQLite database.

Seeds ``--contacts`` contacts (one SMS conversation and address each),
``--messages`` messages spread over them, ``--handoffs`` open handoffs and a
model call per bot reply spread over this month; serves the app on loopback
with ``ADMIN_API_TOKEN``, logs in over HTTP, and GETs each page ``--reads``
times. Prints one JSON line: p50/p95 milliseconds and bytes per page, and the
size of the vendored htmx.

    python -m bench.admin_pages [--contacts N] [--messages N] [--handoffs N] [--reads N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from agents.providers.function import FunctionProvider
from bot.admin.views import STATIC_DIR
from bot.http.app import create_app
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.testing import serve_in_background
from memory.db import Database

TOKEN = "bench-console-token-0123456789"
PAGES = ("/admin/handoffs", "/admin/handoffs/list", "/admin/conversations", "/admin/costs")


def seed(path: Path, contacts: int, messages: int, handoffs: int) -> float:
    """Rows straight into SQLite (the schema is migrated); seconds taken."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = max((now - month_start).total_seconds(), 1.0)
    with sqlite3.connect(path) as db:
        stamp = now.isoformat(sep=" ")
        db.executemany(
            "INSERT INTO contacts (id, created_at, facts) VALUES (?, ?, '{}')",
            ((i, stamp) for i in range(1, contacts + 1)),
        )
        db.executemany(
            "INSERT INTO identities (kind, external_id, contact_id, created_at)"
            " VALUES ('phone', ?, ?, ?)",
            ((f"+1555{i:07d}", i, stamp) for i in range(1, contacts + 1)),
        )
        db.executemany(
            "INSERT INTO conversations (id, channel, key, contact_id, created_at, updated_at,"
            " handed_off_at, handoff_reason) VALUES (?, 'sms', ?, ?, ?, ?, ?, ?)",
            (
                (
                    i,
                    f"+1555{i:07d}",
                    i,
                    stamp,
                    stamp,
                    *((stamp, "asked") if i <= handoffs else (None, None)),
                )
                for i in range(1, contacts + 1)
            ),
        )
        rows = []
        for i in range(messages):
            contact = random.randint(1, contacts)
            moment = (month_start + timedelta(seconds=random.random() * span)).isoformat(sep=" ")
            direction = "in" if i % 2 else "out"
            meta = '{"model": "openai:gpt-4o-mini"}' if direction == "out" else "{}"
            agent = "knowledge" if direction == "out" else None
            rows.append((contact, contact, f"m{i}", direction, f"message {i}", agent, moment, meta))
        db.executemany(
            "INSERT INTO messages (conversation_id, contact_id, channel, external_id, direction,"
            " text, agent, created_at, meta) VALUES (?, ?, 'sms', ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute(
            "INSERT INTO model_calls (created_at, provider, model, agent, contact_id, message_id,"
            " input_tokens, output_tokens, cached_input_tokens, cost_usd, latency_ms, outcome)"
            " SELECT created_at, 'openai', 'gpt-4o-mini', 'knowledge', contact_id, id,"
            " 900, 40, 0, 0.000159, 400, 'ok' FROM messages WHERE direction = 'out'"
        )
    return time.perf_counter() - started


async def main(contacts: int, messages: int, handoffs: int, reads: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "console.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        seconds = seed(path, contacts, messages, handoffs)
        settings = load_settings(
            _env_file=None,
            database_url=db.url,
            admin_api_token=TOKEN,
            router_embeddings=False,
        )
        runtime = await Runtime.start(
            settings, provider=FunctionProvider(lambda m: "ok", model="bench"), db=db
        )
        figures: dict[str, dict[str, float]] = {}
        try:
            async with (
                serve_in_background(create_app(runtime=runtime)) as url,
                httpx.AsyncClient(base_url=url, timeout=60) as http,
            ):
                form = await http.get("/admin/login")
                csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
                login = await http.post(
                    "/admin/login", data={"csrf": csrf, "name": "Bench", "token": TOKEN}
                )
                assert login.status_code == 303, login.text
                for page in PAGES:
                    latencies, size = [], 0
                    for _ in range(reads):
                        started = time.perf_counter()
                        answer = await http.get(page)
                        latencies.append((time.perf_counter() - started) * 1000)
                        assert answer.status_code == 200, (page, answer.status_code)
                        size = len(answer.content)
                    latencies.sort()
                    figures[page] = {
                        "p50_ms": round(statistics.median(latencies), 1),
                        "p95_ms": round(latencies[max(int(len(latencies) * 0.95) - 1, 0)], 1),
                        "bytes": size,
                    }
        finally:
            await runtime.aclose(drain_seconds=5)
    print(
        json.dumps(
            {
                "benchmark": "admin_pages",
                "database": "sqlite",
                "contacts": contacts,
                "messages": messages,
                "open_handoffs": handoffs,
                "seed_seconds": round(seconds, 1),
                "reads": reads,
                "htmx_bytes": (STATIC_DIR / "htmx.min.js").stat().st_size,
                "pages": figures,
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.admin_pages", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--handoffs", type=int, default=20)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.contacts, args.messages, args.handoffs, args.reads))
