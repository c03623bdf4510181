"""Hybrid students for the ``function`` provider, importable by a ``bot`` subprocess
(``HYBRID_STUDENT=function:tests.support.hybrid_replies:unsure``).

Each answers with a fixed confidence, as a backend with log-probabilities would.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.providers.base import ChatMessage, Completion

DRAFT = "I think so, but please check with the team."


def _student(confidence: float, model: str) -> Completion:
    return Completion(
        text=DRAFT,
        model=model,
        provider="function",
        input_tokens=12,
        output_tokens=len(DRAFT.split()),
        cost_usd=0.0,
        confidence=confidence,
    )


def sure(_messages: Sequence[ChatMessage]) -> Completion:
    """Confidence 0.9: above the default HIGH threshold, the answer stands."""
    return _student(0.9, "sure")


def unsure(_messages: Sequence[ChatMessage]) -> Completion:
    """Confidence 0.55: between the default thresholds, the teacher answers."""
    return _student(0.55, "unsure")


def lost(_messages: Sequence[ChatMessage]) -> Completion:
    """Confidence 0.1: below the default LOW threshold, a person takes over."""
    return _student(0.1, "lost")
