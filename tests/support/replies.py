"""Reply functions for the ``function`` provider, importable by a ``bot`` subprocess
(``AI_PROVIDER=function:tests.support.replies:priced``)."""

from __future__ import annotations

from collections.abc import Sequence

from agents.providers.base import ChatMessage, Completion

#: USD per token in and out, so costs in tests are exact.
INPUT_PRICE, OUTPUT_PRICE = 1e-6, 2e-6


def priced(messages: Sequence[ChatMessage]) -> Completion:
    """Answers with the question's length, and reports tokens and cost like a vendor would."""
    question = messages[-1].content
    text = f"Your question had {len(question.split())} words."
    input_tokens = sum(len(m.content.split()) for m in messages)
    output_tokens = len(text.split())
    return Completion(
        text=text,
        model="priced",
        provider="function",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=input_tokens * INPUT_PRICE + output_tokens * OUTPUT_PRICE,
        latency_ms=1.0,
    )


def unsure(messages: Sequence[ChatMessage]) -> Completion:
    """A hybrid student that answers with middling confidence: the teacher should answer."""
    return Completion(
        text="Maybe around $60?",
        model="unsure",
        provider="function",
        input_tokens=sum(len(m.content.split()) for m in messages),
        output_tokens=3,
        cost_usd=0.0,
        confidence=0.5,
    )


def parrot(messages: Sequence[ChatMessage]) -> Completion:
    """Repeats the bot's last turn in the history, as a small model often does."""
    earlier = [m.content for m in messages[:-1] if m.role == "assistant"]
    text = f"Earlier I said: {earlier[-1]}" if earlier else "Nothing said before."
    return Completion(text=text, model="parrot", provider="function", latency_ms=1.0)


def invents_price(messages: Sequence[ChatMessage]) -> str:
    """A first sentence the documents support, then a price they do not, then more."""
    return "We cook at your home. A dinner costs $999 per guest. We bring everything we need."
