"""Scripted models for /compare tests: reply functions with delays, a failure, a stall.

Use them as ``COMPARE_MODELS`` ids, e.g.
``function:tests.support.compare_models:quick`` (the factory imports them, in
a ``bot`` subprocess too). Each answers after its own delay, so the order in
which answers arrive is known; each reports tokens and a cost like a vendor.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from agents.errors import ProviderError
from agents.providers.base import CallRecord, ChatMessage, Completion

#: USD per token in and out, so costs are exact.
INPUT_PRICE, OUTPUT_PRICE = 1e-6, 2e-6


def model_id(name: str) -> str:
    """The ``COMPARE_MODELS`` id of the reply function ``name`` of this module."""
    return f"function:tests.support.compare_models:{name}"


def _completion(name: str, messages: Sequence[ChatMessage], text: str) -> Completion:
    input_tokens = sum(len(m.content.split()) for m in messages)
    output_tokens = len(text.split())
    return Completion(
        text=text,
        model=f"tests.support.compare_models:{name}",
        provider="function",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=input_tokens * INPUT_PRICE + output_tokens * OUTPUT_PRICE,
        latency_ms=1.0,
    )


async def _answer(
    name: str, messages: Sequence[ChatMessage], delay: float, text: str
) -> Completion:
    await asyncio.sleep(delay)
    return _completion(name, messages, text)


def _question(messages: Sequence[ChatMessage]) -> str:
    return messages[-1].content


async def quick(messages: Sequence[ChatMessage]) -> Completion:
    """Answers in 20 ms: a short, complete answer."""
    text = f"Quick answer: {_question(messages)} Yes, it is 4."
    return await _answer("quick", messages, 0.02, text)


async def steady(messages: Sequence[ChatMessage]) -> Completion:
    """Answers in 120 ms, with a little structure."""
    text = (
        f"Steady answer to: {_question(messages)}\n\n"
        "- First, the sum of 2 and 2 is 4.\n- Second, that holds in every base above 4."
    )
    return await _answer("steady", messages, 0.12, text)


async def slow(messages: Sequence[ChatMessage]) -> Completion:
    """Answers in 250 ms (inside a 0.5 s deadline): the last to arrive."""
    text = f"Slow answer: having thought about {_question(messages)} at length, the answer is 4."
    return await _answer("slow", messages, 0.25, text)


async def stalled(messages: Sequence[ChatMessage]) -> Completion:
    """Takes 10 s: past any test's deadline, so it shows as timed out."""
    return await _answer("stalled", messages, 10.0, "too late")


async def broken(messages: Sequence[ChatMessage]) -> Completion:
    """Fails after 10 ms as a vendor's 500 would, after its retries."""
    await asyncio.sleep(0.01)
    # As a vendor provider reports it: the failed attempt rides on the error, to be logged.
    attempt = CallRecord(
        provider="function",
        model="tests.support.compare_models:broken",
        latency_ms=10.0,
        outcome="error",
        error="500 Internal Server Error",
    )
    raise ProviderError("upstream answered 500 Internal Server Error", status=500, calls=(attempt,))


async def verbose(messages: Sequence[ChatMessage]) -> Completion:
    """A 5,000-character answer in 30 ms: more than a chat message holds."""
    sentence = "This is a long and careful sentence about the question. "
    return await _answer("verbose", messages, 0.03, sentence * 90)


async def wordy(messages: Sequence[ChatMessage]) -> Completion:
    """A 3,500-character answer in 60 ms."""
    sentence = "Another long sentence, written to fill the message. "
    return await _answer("wordy", messages, 0.06, sentence * 68)


def _verdict(winner: str, reason: str) -> str:
    return json.dumps({"winner": winner, "reason": reason})


async def judge_for_steady(messages: Sequence[ChatMessage]) -> str:
    """A consistent judge: the steady answer wins whichever side it is shown on."""
    prompt = messages[-1].content
    answer_b = prompt.partition("Answer B:")[2]
    if "Steady answer" not in prompt:
        return _verdict("tie", "Both answers say 4.")
    return _verdict("B" if "Steady answer" in answer_b else "A", "It explains itself.")


async def judge_for_first(messages: Sequence[ChatMessage]) -> str:
    """A judge biased to the answer shown first: its verdicts flip with the order."""
    return _verdict("A", "The first one reads better.")


def briefed(messages: Sequence[ChatMessage]) -> Completion:
    """Says what the system prompt told it about the business, for the briefing tests."""
    system = messages[0].content
    text = "Told: " + ("; ".join(line for line in system.splitlines()[1:] if line) or "nothing")
    return _completion("briefed", messages, text)
