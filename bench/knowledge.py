"""How well the knowledge base finds answers, and how fast.

Ingests the sample business's documents (or --folder) into a fresh SQLite
file, then asks every question of a labelled JSONL file (default
bench/data/kb_questions.jsonl: ``{"question", "source"}``, ``source`` null
for a question the documents do not answer) and prints one JSON line:

- found: answerable questions whose best chunk scores >= KB_MIN_SCORE and
  comes from the expected document; found_at_k: the expected document is
  among the chunks used (KB_TOP_K);
- refused: unanswerable questions where no chunk reaches KB_MIN_SCORE (the
  knowledge agent then says it does not know);
- ms_per_search: retrieval alone, index in memory (mean and p95);
- ingest_ms (first start) and resync_ms (a start with nothing changed);
- sweep: found and refused at other thresholds, to choose KB_MIN_SCORE.

    python -m bench.knowledge [--file F] [--folder D] [--min-score 2.4] [--repeat 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from agents.business import BusinessProfile
from agents.knowledge.questions import asks_for_fact
from agents.knowledge.retriever import Hit
from agents.knowledge.service import open_knowledge_base
from agents.knowledge.terms import terms
from bot.settings import SAMPLE_BUSINESS_DIR, Settings
from bot.wiring.knowledge import knowledge_embeddings
from memory.db import Database

DEFAULT_FILE = Path(__file__).parent / "data" / "kb_questions.jsonl"
SWEEP = (1.5, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.5, 4.0)


def _found(hits: list[Hit], source: str, min_score: float) -> bool:
    return any(h.score >= min_score and h.document == source for h in hits)


def judge(rows: list[dict], hits: list[list[Hit]], min_score: float) -> dict:
    """Found and refused rates of the hits at ``min_score``."""
    answerable = [(r, h) for r, h in zip(rows, hits, strict=True) if r["source"]]
    unanswerable = [h for r, h in zip(rows, hits, strict=True) if not r["source"]]
    found = sum(
        1 for r, h in answerable if h and h[0].score >= min_score and h[0].document == r["source"]
    )
    found_at_k = sum(
        1
        for r, h in answerable
        if any(x.score >= min_score and x.document == r["source"] for x in h)
    )
    refused = sum(1 for h in unanswerable if not h or h[0].score < min_score)
    return {
        "min_score": min_score,
        "found": round(found / max(len(answerable), 1), 3),
        "found_at_k": round(found_at_k / max(len(answerable), 1), 3),
        "refused": round(refused / max(len(unanswerable), 1), 3),
    }


async def main(rows: list[dict], folder: Path, min_score: float, top_k: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'kb.db'}")
        await db.migrate()
        started = time.perf_counter()
        # KB_EMBEDDINGS_MODEL (and OPENAI_API_KEY) in the environment: fused with vectors.
        settings = Settings()
        retriever = await open_knowledge_base(
            db,
            folder,
            top_k=top_k,
            min_score=min_score,
            embeddings=knowledge_embeddings(settings),
            vector_weight=settings.kb_vector_weight,
        )
        ingest_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        await open_knowledge_base(db, folder, top_k=top_k, min_score=min_score)
        resync_ms = (time.perf_counter() - started) * 1000
        hits = [await retriever.search(r["question"], top_k) for r in rows]
        # The agents pass the business's own description's words as known too.
        about = terms(BusinessProfile.from_folder(folder).summary)
        used = [await retriever.relevant(r["question"], also=about) for r in rows]
        chunks = len(await retriever.store.chunks())
        timings = []
        for _ in range(repeat):
            for r in rows:
                t0 = time.perf_counter()
                await retriever.search(r["question"], top_k)
                timings.append((time.perf_counter() - t0) * 1000)
        await db.dispose()
    misses = [
        {
            "question": r["question"],
            "expected": r["source"],
            "best": [h[0].document, round(h[0].score, 2)] if h else None,
        }
        for r, h in zip(rows, used, strict=True)
        if (r["source"] and not _found(h[:1], r["source"], 0.0)) or (not r["source"] and h)
    ]
    result = {
        "questions": len(rows),
        "answerable": sum(1 for r in rows if r["source"]),
        "chunks": chunks,
        # What the agents get (`Retriever.relevant`): strong chunks, or weak ones
        # when every word of the question is in the documents.
        **judge(rows, used, 0.0),
        "min_score": min_score,
        "top_k": top_k,
        "fact_questions": round(sum(asks_for_fact(r["question"]) for r in rows) / len(rows), 3),
        "ms_per_search": round(statistics.mean(timings), 4),
        "p95_ms_per_search": round(statistics.quantiles(timings, n=20)[-1], 4),
        "ingest_ms": round(ingest_ms, 1),
        "resync_ms": round(resync_ms, 1),
        # Score thresholds alone (no weak chunks), to choose KB_MIN_SCORE.
        "sweep": [judge(rows, hits, s) for s in SWEEP],
        "misses": misses,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    defaults = Settings.model_fields
    parser = argparse.ArgumentParser(
        prog="python -m bench.knowledge", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--folder", type=Path, default=SAMPLE_BUSINESS_DIR)
    parser.add_argument("--min-score", type=float, default=defaults["kb_min_score"].default)
    parser.add_argument("--top-k", type=int, default=defaults["kb_top_k"].default)
    parser.add_argument("--repeat", type=int, default=200, help="Timed passes over the questions.")
    args = parser.parse_args()
    lines = args.file.read_text().splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    asyncio.run(main(rows, args.folder, args.min_score, args.top_k, args.repeat))
