"""Answers the bot's own code decides, with no model asked: `decided`.

"I don't know", a booking looked up, a refused operations question: each names
the rule that decided it, and its provider is `BOT_PROVIDER` (no model call to count).
"""

from __future__ import annotations

from typing import Any

from agents.providers.base import Completion

#: The provider of answers the bot's own code decided (no model was asked):
#: "I don't know", a booking looked up, a refused operations question.
BOT_PROVIDER = "bot"


def decided(text: str, reason: str, **extras: Any) -> Completion:
    """An answer decided in code; ``reason`` names the rule (``no-knowledge``)."""
    return Completion(text=text, model=reason, provider=BOT_PROVIDER, extras=dict(extras))
