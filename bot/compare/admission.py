"""Admitting a compare: the question checked, then a ticket to run it or a readable refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from agents.compare.result import Lineup
from bot.errors import BotError
from memory.compare import StoredAnswer, StoredCompare

#: The longest question /compare takes.
MAX_QUESTION_CHARS = 1000


class CompareRefusedError(BotError):
    """A compare that will not run: an empty or too long question, or too many compares.

    ``message`` is written for the asker; ``retry_after_s`` is set for ``rate_limited``.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: Literal["empty", "too_long", "rate_limited"],
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class CompareTicket:
    """An admitted compare: recorded, within the rate limit, about to run (or cached)."""

    query_id: int
    question: str
    asker: str
    channel: str
    created_at: datetime
    contact_id: int | None
    lineup: Lineup
    #: The stored result this compare reuses; None when the models must be asked.
    cached: StoredCompare | None = None

    def pending(self) -> list[StoredAnswer]:
        """A waiting row per model, in line-up order."""
        return [StoredAnswer(c.position, c.model_id, "pending") for c in self.lineup.contestants]


def checked_question(question: str) -> str:
    """``question`` trimmed; `CompareRefusedError` when it is empty or too long."""
    question = question.strip()
    if not question:
        raise CompareRefusedError("The question is empty.", reason="empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise CompareRefusedError(
            f"Your question is {len(question):,} characters long; /compare takes at most "
            f"{MAX_QUESTION_CHARS:,}. Please shorten it.",
            reason="too_long",
        )
    return question
