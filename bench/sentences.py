"""Check, then show: how soon a streaming channel shows the first checked sentence.

Asks each question through `Runtime` with ``on_sentence`` (as `bot chat` and the
web chat do), with the configured provider (the embedded SmolLM2 by default) on
a fresh SQLite database, each from a new customer, and prints one JSON line:

- first_sentence_p50_ms / whole_reply_p50_ms: from the question to the first
  sentence shown, and to the stored reply (what a non-streaming channel waits);
  the same per question in first_sentence_ms / whole_reply_ms;
- replaced_later: replies whose first sentences were shown and a later one
  was replaced by the check (meta ``grounding.kept`` or ``rewritten.kept``);
- shown_equals_stored: replies whose shown sentences equal the stored text.

    python -m bench.sentences [--question Q ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time

from bot.runtime import Runtime
from bot.settings import load_settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel

QUESTIONS = (
    "Hi! We're planning a backyard birthday party next month.",
    "What is on the menu?",
    "Tell me about your hibachi show.",
    "We have 25 guests in Oakland, what do you need from us?",
    "How does booking work?",
)


async def measure(questions: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(database_url=f"sqlite+aiosqlite:///{folder}/bench.db")
        runtime = await Runtime.start(settings, channels={"sms": RecordingChannel("sms")})
        try:
            warm_up = getattr(runtime.provider, "warm_up", None)
            if warm_up is not None:
                await warm_up()
            first: list[float | None] = []
            whole: list[float] = []
            replaced = equal = 0
            for number, question in enumerate(questions):
                shown: list[str] = []
                started = time.perf_counter()

                first.append(None)

                async def on_sentence(
                    sentence: str, shown: list[str] = shown, started: float = started
                ) -> None:
                    if not shown:
                        first[-1] = (time.perf_counter() - started) * 1000
                    shown.append(sentence)

                phone = f"+1415555{number:04d}"
                reply = await runtime.orchestrator.handle(
                    IncomingMessage("sms", Address("phone", phone), phone, question),
                    on_sentence=on_sentence,
                )
                whole.append((time.perf_counter() - started) * 1000)
                if reply is None:
                    continue
                extras = reply.completion.extras
                replaced += any(extras.get(k, {}).get("kept") for k in ("grounding", "rewritten"))
                equal += " ".join(shown) == " ".join(reply.text.split())
        finally:
            await runtime.aclose()
    return {
        "bench": "sentences",
        "model": settings.ai_provider,
        "questions": len(questions),
        "first_sentence_p50_ms": round(statistics.median(f for f in first if f is not None), 1),
        "whole_reply_p50_ms": round(statistics.median(whole), 1),
        "first_sentence_ms": [None if f is None else round(f) for f in first],
        "whole_reply_ms": [round(w) for w in whole],
        "replaced_later": replaced,
        "shown_equals_stored": equal,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sentences", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--question", action="append", help="ask this (repeatable)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.question or list(QUESTIONS)))))


if __name__ == "__main__":
    main()
