"""Routing accuracy on a labelled JSONL file, per method, and the time per message.

Each line of FILE is ``{"text": ..., "agent": ...}`` (optionally ``"channel"``,
default sms, and ``"current_agent"``). For each method it prints one JSON line:
accuracy, per-route precision and recall, the confusion matrix (rows: expected,
columns: routed), ms per message, and how many were right among the confident
(``confidence >= ROUTER_MIN_CONFIDENCE``) and among the others.

    python -m bench.routing [FILE] [--method mix|lexical|keyword|all] [--errors]

Methods: ``mix`` (examples, lexical view plus sentence vectors when it is unsure:
the default with ROUTER_EMBEDDINGS on), ``mix-all`` (the vectors asked for every
message), ``lexical`` (examples, words only), ``keyword`` (the KeywordRouter, used
when a business has no routing.yml).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from agents.routing import ExampleRouter, RoutingExamples
from agents.routing.base import Router
from agents.routing.keywords import KeywordRouter

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "tests" / "data" / "intents-dev.jsonl"
SAMPLE_BUSINESS_DIR = ROOT / "bot" / "sample"
METHODS = ("mix", "mix-all", "lexical", "keyword")


def load(path: Path) -> list[dict]:
    """The labelled rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def build(method: str, business_dir: Path) -> Router:
    if method == "keyword":
        return KeywordRouter()
    examples = RoutingExamples.from_folder(business_dir)
    if examples is None:
        sys.exit(f"{business_dir} has no routing.yml")
    if method == "mix-all":
        return ExampleRouter(examples, vectors_below=2.0)
    return ExampleRouter(examples, embeddings=method == "mix")


async def measure(method: str, rows: list[dict], business_dir: Path, threshold: float) -> dict:
    router = build(method, business_dir)
    started = time.perf_counter()
    if isinstance(router, ExampleRouter):
        await router.prepare()  # loading the model is start-up, not per-message time
        if method.startswith("mix") and not router.uses_vectors:
            sys.exit("the embedded model did not load: see the log")
    prepare_s = time.perf_counter() - started
    routed = []
    with_vectors = 0
    started = time.perf_counter()
    for row in rows:
        route = await router.route(
            row["text"],
            channel=row.get("channel", "sms"),
            current_agent=row.get("current_agent"),
        )
        routed.append(route)
        with_vectors += route.reason.startswith("mix:")
    elapsed = time.perf_counter() - started
    labels = sorted({row["agent"] for row in rows} | {r.agent for r in routed})
    confusion = {e: dict.fromkeys(labels, 0) for e in labels}
    for row, route in zip(rows, routed, strict=True):
        confusion[row["agent"]][route.agent] += 1
    right = sum(confusion[a][a] for a in labels)
    per_route = {}
    for a in labels:
        predicted = sum(confusion[e][a] for e in labels)
        actual = sum(confusion[a].values())
        per_route[a] = {
            "precision": round(confusion[a][a] / predicted, 3) if predicted else None,
            "recall": round(confusion[a][a] / actual, 3) if actual else None,
        }
    sure = [
        (r.agent == row["agent"])
        for row, r in zip(rows, routed, strict=True)
        if r.confidence >= threshold
    ]
    unsure = [
        (r.agent == row["agent"])
        for row, r in zip(rows, routed, strict=True)
        if r.confidence < threshold
    ]
    errors = [
        {
            "text": row["text"],
            "expected": row["agent"],
            "routed": r.agent,
            "confidence": r.confidence,
        }
        for row, r in zip(rows, routed, strict=True)
        if r.agent != row["agent"]
    ]
    return {
        "method": method,
        "messages": len(rows),
        "correct": right,
        "accuracy": round(right / len(rows), 4),
        "ms_per_message": round(elapsed / len(rows) * 1000, 2),
        "with_vectors": with_vectors,
        "prepare_s": round(prepare_s, 2),
        "min_confidence": threshold,
        "confident": {"messages": len(sure), "correct": sum(sure)},
        "unsure": {"messages": len(unsure), "correct": sum(unsure)},
        "per_route": per_route,
        "confusion": confusion,
        "errors": errors,
    }


async def main(args: argparse.Namespace) -> None:
    rows = load(args.file)
    methods = METHODS if args.method == "all" else (args.method,)
    for method in methods:
        result = await measure(method, rows, args.business_dir, args.min_confidence)
        if not args.errors:
            result.pop("errors")
        print(json.dumps({"file": args.file.name, **result}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.routing", description=__doc__.splitlines()[0]
    )
    parser.add_argument("file", nargs="?", type=Path, default=DEV_SET)
    parser.add_argument("--method", choices=(*METHODS, "all"), default="all")
    parser.add_argument("--business-dir", type=Path, default=SAMPLE_BUSINESS_DIR)
    parser.add_argument("--min-confidence", type=float, default=0.45)
    parser.add_argument("--errors", action="store_true", help="List the misrouted messages.")
    asyncio.run(main(parser.parse_args()))
