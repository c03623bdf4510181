"""Time to the first sentence of a web chat reply, in the browser, on the embedded model.

``bot``'s app with the web chat on (SQLite, the sample business, the default
settings: the embedded SmolLM2 model on llama.cpp, routing with its sentence
vectors) served on loopback; Debian's headless Chromium (Playwright) opens the
``/chat`` demo page, sends customer questions one after another, and the page
itself times (``performance.now``, a MutationObserver on the chat log) from
the submit to the first sentence shown and to the reply's last sentence. The
first question, which loads the model, is reported apart. Prints one JSON line
with the widget's size in bytes and the machine's load average.

    python -m bench.web_chat [--questions 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from bot.http.app import create_app
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.testing.browser import CHROMIUM, CHROMIUM_ARGS
from channels.testing import serve_in_background
from channels.web.assets import STATIC
from memory.db import Database
from memory.models import ModelCall

QUESTIONS = [
    "Do you use peanut oil?",
    "What makes your hibachi show special?",
    "How much is the Classic package?",
    "Which package would you recommend for a 40th birthday party?",
    "Do you travel to San Jose?",
    "Tell me a little about your chefs.",
    "Can you do a gluten-free menu?",
    "What should we prepare in the backyard before you arrive?",
]

#: Watches the chat log; records when the next reply's first sentence shows and when it ends.
_ARM = """(question) => {
  const root = document.getElementById('frontdesk-chat').shadowRoot;
  const log = root.querySelector('[data-role=log]');
  const seen = log.querySelectorAll('[data-role=bot]').length;
  const timing = window.__bench = {t0: 0, first: null, done: null};
  new MutationObserver((changes, observer) => {
    const bots = log.querySelectorAll('[data-role=bot]');
    if (bots.length <= seen) return;
    if (timing.first === null) timing.first = performance.now();
    if (bots[bots.length - 1].hasAttribute('data-done')) {
      timing.done = performance.now();
      observer.disconnect();
    }
  }).observe(log, {childList: true, subtree: true, characterData: true, attributes: true});
  root.querySelector('[data-role=input]').value = question;
  timing.t0 = performance.now();
  root.querySelector('[data-role=send]').click();
}"""


async def ask(page, db: Database, question: str) -> tuple[float, float, bool]:
    """(ms to the first sentence, ms to the last, whether the model wrote it) for one question."""
    calls = sum((await _model_calls(db)).values())
    await page.evaluate(_ARM, question)
    await page.wait_for_function("() => window.__bench.done !== null", timeout=300_000)
    timing = await page.evaluate("window.__bench")
    wrote = sum((await _model_calls(db)).values()) > calls
    return timing["first"] - timing["t0"], timing["done"] - timing["t0"], wrote


async def run(questions: int) -> dict[str, object]:
    from playwright.async_api import async_playwright

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        settings = load_settings(
            _env_file=None,
            database_url=db.url,
            web_chat_secret="bench-web-chat-secret-0123456789abcdef",
        )
        runtime = await Runtime.start(settings, db=db)
        try:
            async with (
                serve_in_background(create_app(runtime=runtime)) as url,
                async_playwright() as playwright,
            ):
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                page = await browser.new_page()
                await page.goto(f"{url}/chat")
                await page.wait_for_function(
                    "() => document.getElementById('frontdesk-chat') !== null"
                )
                cold = await ask(page, db, "Hello, are you open this weekend?")
                warm = [await ask(page, db, q) for q in (QUESTIONS * 2)[:questions]]
                replies = await page.evaluate(
                    "() => [...document.getElementById('frontdesk-chat').shadowRoot"
                    ".querySelectorAll('[data-role=bot]')].map(b => b.textContent)"
                )
                await browser.close()
            calls = await _model_calls(db)
        finally:
            await runtime.aclose(drain_seconds=30)
    return {
        "bench": "web_chat",
        "model": settings.ai_provider,
        "questions": len(warm),
        # Replies the model wrote, and those code answered (facts quoted from the documents).
        "model_written": _figures([t for t in warm if t[2]]),
        "code_answered": _figures([t for t in warm if not t[2]]),
        "cold_first_sentence_ms": round(cold[0]),
        "model_calls_by_provider": calls,
        "reply_chars": [len(r) for r in replies],
        "widget_bytes": (STATIC / "widget.js").stat().st_size,
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def _figures(timings: list[tuple[float, float, bool]]) -> dict[str, object]:
    if not timings:
        return {"replies": 0}
    first = [t[0] for t in timings]
    return {
        "replies": len(timings),
        "first_sentence_ms_p50": round(statistics.median(first)),
        "first_sentence_ms_max": round(max(first)),
        "last_sentence_ms_p50": round(statistics.median(t[1] for t in timings)),
    }


async def _model_calls(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(ModelCall.provider, func.count()).group_by(ModelCall.provider)
        )
        return {provider: count for provider, count in rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.web_chat", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--questions", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.questions))))


if __name__ == "__main__":
    main()
