"""Models for real-process tests, importable by a ``bot`` subprocess.

``AI_PROVIDER=function:tests.support.slow_replies:slow_echo`` answers ``Re: <text>``
after ``SLOW_REPLY_S`` seconds (a vendor call's wait); ``jittery_echo`` after a
random 0.05-0.5 s, so answers of one conversation would overtake each other
if nothing kept their order.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Sequence

from agents.providers.base import ChatMessage


async def slow_echo(messages: Sequence[ChatMessage]) -> str:
    """``Re: <the question>`` after SLOW_REPLY_S seconds (default 1)."""
    await asyncio.sleep(float(os.environ.get("SLOW_REPLY_S", "1")))
    return f"Re: {messages[-1].content}"


async def jittery_echo(messages: Sequence[ChatMessage]) -> str:
    """``Re: <the question>`` after 0.05 to 0.5 s."""
    await asyncio.sleep(random.uniform(0.05, 0.5))
    return f"Re: {messages[-1].content}"
