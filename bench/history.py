"""Reading a contact's history from a table of a million messages.

Seeds N messages (default 1,000,000) spread over C contacts (default 10,000)
into a fresh SQLite file, then times `ConversationStore.history` (newest 20
messages across channels) for random contacts and prints one JSON line.

    python -m bench.history [--messages 1000000] [--contacts 10000] [--reads 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database


def seed(path: Path, messages: int, contacts: int) -> float:
    """Fill the migrated database with plain sqlite3 (fast); return seconds taken."""
    started = time.perf_counter()
    now = datetime.now(UTC).isoformat()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO contacts (id, created_at, facts) VALUES (?, ?, '{}')",
            ((i, now) for i in range(1, contacts + 1)),
        )
        db.executemany(
            "INSERT INTO conversations (id, channel, key, contact_id, created_at, updated_at)"
            " VALUES (?, 'sms', ?, ?, ?, ?)",
            ((i, f"k{i}", i, now, now) for i in range(1, contacts + 1)),
        )
        db.executemany(
            "INSERT INTO messages (conversation_id, contact_id, channel, external_id, direction,"
            " text, created_at, meta) VALUES (?, ?, 'sms', ?, ?, ?, ?, '{}')",
            (
                (c, c, f"m{i}", "in" if i % 2 else "out", f"message {i}", now)
                for i in range(messages)
                for c in [random.randint(1, contacts)]
            ),
        )
    return time.perf_counter() - started


async def main(messages: int, contacts: int, reads: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        seconds = seed(path, messages, contacts)
        store = ConversationStore(db, ContactDirectory(db))
        latencies = []
        for _ in range(reads):
            contact = random.randint(1, contacts)
            t = time.perf_counter()
            history = await store.history(contact, limit=20)
            latencies.append((time.perf_counter() - t) * 1000)
            assert len(history) <= 20
        await db.dispose()
    latencies.sort()
    print(
        json.dumps(
            {
                "benchmark": "history_read",
                "database": "sqlite",
                "messages": messages,
                "contacts": contacts,
                "seed_seconds": round(seconds, 1),
                "reads": reads,
                "p50_ms": round(statistics.median(latencies), 3),
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 3),
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.history", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.contacts, args.reads))
