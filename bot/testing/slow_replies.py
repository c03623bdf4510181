"""Models for real-process tests, importable by a ``bot`` subprocess.

``AI_PROVIDER=function:bot.testing.slow_replies:slow_echo`` answers ``Re: <text>``
after ``SLOW_REPLY_S`` seconds (a vendor call's wait; with ``SLOW_REPLY_MATCH`` set,
only for questions containing it, the others at once); ``jittery_echo`` after a
random 0.05-0.5 s, so answers of one conversation would overtake each other
if nothing kept their order. With ``REPLY_STAMPS`` set to a file, `slow_echo`
appends the wall-clock time each answer's model call starts and its question
(``bench/ingest.py`` measures acknowledgement to start of answering with it).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Sequence

from agents.providers.base import ChatMessage


async def slow_echo(messages: Sequence[ChatMessage]) -> str:
    """``Re: <the question>`` after SLOW_REPLY_S seconds (default 1)."""
    stamps = os.environ.get("REPLY_STAMPS")
    if stamps:  # one short append per call: cheap next to any real model call
        # A few bytes to a local file, in a test double: not worth a thread hop.
        with open(stamps, "a", encoding="utf-8") as out:  # noqa: ASYNC230
            out.write(f"{time.time():.6f} {messages[-1].content}\n")
    question = messages[-1].content
    if os.environ.get("SLOW_REPLY_MATCH", "") in question:
        await asyncio.sleep(float(os.environ.get("SLOW_REPLY_S", "1")))
    return f"Re: {question}"


async def jittery_echo(messages: Sequence[ChatMessage]) -> str:
    """``Re: <the question>`` after 0.05 to 0.5 s."""
    await asyncio.sleep(random.uniform(0.05, 0.5))
    return f"Re: {messages[-1].content}"
