"""Per-call overhead of our provider layer over the bare ``openai`` SDK.

Against the fake OpenAI server on loopback, answering instantly, makes N calls
(default 2,000) with ``AsyncOpenAI.chat.completions.create`` and N through
`OpenAIProvider.complete` (retry loop, timeouts, pricing, error translation),
interleaved one by one so both see the same machine state, with the same
client settings and the same request. The model is OpenAI's default from the
model catalogue, and the request is what the provider sends it (today's
reasoning models take ``reasoning_effort`` rather than ``temperature``).
Prints one JSON line: p50/p99 milliseconds of each, the overhead (ours minus
bare) and the ratio. The target is under 1 ms added at p50.

    python -m bench.providers [--calls 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time

import openai

from agents.providers.base import CallOptions, ChatMessage
from agents.providers.catalogue import load_catalogue
from agents.providers.openai import OpenAIProvider
from agents.providers.resilience import Timeouts
from agents.providers.testing.openai_api import fake_openai

CATALOGUE = load_catalogue()
MODEL = CATALOGUE.defaults["openai"]
MESSAGES = [
    ChatMessage("system", "You are the front desk of a catering company."),
    ChatMessage("user", "How much for a party of 15?"),
]
TARGET_P50_MS = 1.0


def summarise(latencies_s: list[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in latencies_s)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(ms[max(0, int(len(ms) * 0.99) - 1)], 3),
    }


async def main(calls: int) -> None:
    timeouts = Timeouts()
    async with fake_openai() as fake:
        # Same settings on both sides: our retries off, our timeouts.
        bare = openai.AsyncOpenAI(
            api_key="sk-bench",
            base_url=fake.base_url,
            max_retries=0,
            timeout=openai.Timeout(timeouts.total, connect=timeouts.connect),
        )
        ours = OpenAIProvider(
            MODEL,
            api_key="sk-bench",
            base_url=fake.base_url,
            timeouts=timeouts,
            info=CATALOGUE.get(f"openai:{MODEL}"),  # what the model accepts
        )
        # The very keyword arguments ours sends, built once outside the timed calls.
        request = ours.request(MESSAGES, CallOptions(max_tokens=256, temperature=0.3))

        async def bare_call() -> None:
            response = await bare.chat.completions.create(**request)
            assert response.choices[0].message.content and response.usage is not None

        async def our_call() -> None:
            completion = await ours.complete(MESSAGES, CallOptions(max_tokens=256, temperature=0.3))
            assert completion.text and completion.cost_usd is not None

        for _ in range(50):  # warm up connections and code paths
            await bare_call()
            await our_call()
        fake.script.requests.clear()
        fake.script.headers.clear()

        bare_s: list[float] = []
        ours_s: list[float] = []
        for _ in range(calls):
            for call, sink in ((bare_call, bare_s), (our_call, ours_s)):
                t = time.perf_counter()
                await call()
                sink.append(time.perf_counter() - t)
        await bare.close()
        await ours.aclose()

    bare_stats, our_stats = summarise(bare_s), summarise(ours_s)
    overhead = {key: round(our_stats[key] - bare_stats[key], 3) for key in ("p50_ms", "p99_ms")}
    result = {
        "benchmark": "provider_overhead",
        "calls": calls,
        "model": f"openai:{MODEL}",
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "openai_sdk": openai.__version__,
        "bare_sdk": bare_stats,
        "provider": our_stats,
        "overhead": overhead,
        "ratio": {
            "p50": round(our_stats["p50_ms"] / bare_stats["p50_ms"], 3),
            "p99": round(our_stats["p99_ms"] / bare_stats["p99_ms"], 3),
        },
        "target_p50_overhead_ms": TARGET_P50_MS,
        "within_target": overhead["p50_ms"] < TARGET_P50_MS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.providers", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.calls))
