"""The tutor-pair log's record: what the hybrid student said, and what the teacher said.

`agents.providers.hybrid` records one `TutorPair` per decision to a `PairLog`;
the bot's log is `memory.tutor_pairs.TutorPairStore`, and ``bot export pairs``
turns the pairs with a teacher answer into fine-tuning data for the student.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from agents.providers.base import ChatMessage


@dataclass(frozen=True, slots=True)
class TutorPair:
    """One decision of the hybrid: the prompt, the student's answer, and the teacher's."""

    prompt: tuple[ChatMessage, ...]
    student_model: str
    student_text: str
    confidence: float
    method: str
    decision: str
    teacher_model: str | None = None
    teacher_text: str | None = None


class PairLog(Protocol):
    """Where tutor pairs go (`memory.tutor_pairs.TutorPairStore` in the bot)."""

    async def record(self, pair: TutorPair) -> Any:
        """Store ``pair``."""
