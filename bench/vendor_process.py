"""The fake vendors of a benchmark, in a process of their own.

Real vendors answer from someone else's machine: their CPU is not the bot's.
Run in the bot's own process, the fake servers would share its event loop
and its core and bill their work to the bot. `vendor_process` starts them in
a child process and returns their base URLs; they stop when the child's
stdin closes.

    python -m bench.vendor_process '{"openai": {"delay": 0.2, "text": "..."}, ...}'
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

#: The repository root: where ``python -m bench.vendor_process`` finds this package.
ROOT = Path(__file__).resolve().parents[1]
#: The vendors this process can fake.
VENDORS = ("openai", "anthropic", "groq", "tavily")


async def _serve(config: dict[str, dict[str, Any]]) -> None:
    from agents.providers.testing.anthropic_api import fake_anthropic
    from agents.providers.testing.openai_api import fake_groq, fake_openai
    from agents.providers.testing.script import Reply
    from agents.research.testing import page, running_fake_tavily

    models = {"openai": fake_openai, "anthropic": fake_anthropic, "groq": fake_groq}
    urls: dict[str, str] = {}
    async with AsyncExitStack() as stack:
        for vendor, options in config.items():
            if vendor == "tavily":
                pages = [
                    page(p["url"], p["content"], title=p.get("title", "")) for p in options["pages"]
                ]
                fake = await stack.enter_async_context(
                    running_fake_tavily(results=pages, delay=options["delay"])
                )
            else:
                reply = Reply(options["text"], stall=options["delay"])
                fake = await stack.enter_async_context(models[vendor](reply))
            urls[vendor] = fake.base_url
        print(json.dumps(urls), flush=True)
        # Serve until the parent closes our stdin.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


@asynccontextmanager
async def vendor_process(config: dict[str, dict[str, Any]]) -> AsyncIterator[dict[str, str]]:
    """Serve the fakes ``config`` names in a child process; yield their base URLs by vendor.

    ``config`` maps a vendor to ``{"delay": seconds, "text": reply}`` (model
    vendors) or ``{"delay": seconds, "pages": [{"url", "content"}]}`` (tavily).
    """
    unknown = set(config) - set(VENDORS)
    if unknown:
        raise ValueError(f"unknown vendors: {sorted(unknown)}")
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.vendor_process",
        json.dumps(config),
        # From the repository root, so the child imports this very bench package.
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        line = await asyncio.wait_for(child.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the vendor process exited before serving")
        yield json.loads(line)
    finally:
        child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), 10)
        except TimeoutError:
            child.kill()
            await child.wait()


if __name__ == "__main__":
    asyncio.run(_serve(json.loads(sys.argv[1])))
