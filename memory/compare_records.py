"""The records of /compare as stored and shown: a compare, its answers, votes and win rates.

Plain values, not `agents` types: `memory` sits below `agents`, and the
command turns the runner's answers into `StoredAnswer`s itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

#: A vote: the best answer of a compare, or thumbs up/down on one answer.
VoteKind = Literal["best", "up", "down"]


def question_key(question: str, models: Sequence[str], judge_model: str | None) -> str:
    """The cache key: the question with whitespace and case normalised, the line-up, the judge."""
    normalised = " ".join(question.split()).casefold()
    key = "\n".join([normalised, ",".join(models), judge_model or ""])
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One model's answer as stored (or, while running, as shown: ``pending`` until it arrives)."""

    position: int
    model_id: str
    status: str  # pending, ok, timeout, failed
    text: str = ""
    error: str | None = None
    latency_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    #: The heuristic score, 0..1, and its parts.
    score: float | None = None
    score_details: dict[str, Any] = field(default_factory=dict)
    #: 1 is best; None when unranked.
    rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The answer as the HTTP API and ``bot compare --json`` show it."""
        shown = asdict(self)
        shown["model"] = shown.pop("model_id")
        return shown


@dataclass(frozen=True, slots=True)
class StoredCompare:
    """A compare as stored: the question, each answer, the ranking and the judge's verdicts.

    A cached compare (``cached_from_id`` set) is a row of its own, for the
    rate limit and the record, that shows the answers of the compare it reuses.
    """

    id: int
    question: str
    asker: str
    channel: str
    created_at: datetime
    #: running; done: every model answered; partial: some did; failed: none did, or it
    #: broke off. Only done compares are served from the cache.
    status: str
    models: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    answers: tuple[StoredAnswer, ...] = ()
    judge_model: str | None = None
    #: The judge's report (pairs, verdicts, outcome) and ``ranking_method``; None without a judge.
    judge: dict[str, Any] | None = None
    wall_ms: float | None = None
    cached_from_id: int | None = None

    @property
    def cached(self) -> bool:
        """Whether this compare was served from an earlier one's stored result."""
        return self.cached_from_id is not None

    @property
    def source_id(self) -> int:
        """The compare the answers belong to, and so the one votes are about."""
        return self.cached_from_id or self.id

    @property
    def ranking_method(self) -> str:
        """``judge`` when the LLM judge decided the order, else ``heuristic``."""
        return str((self.judge or {}).get("ranking_method", "heuristic"))

    @property
    def ranked(self) -> list[StoredAnswer]:
        """The ranked answers, best first."""
        return sorted((a for a in self.answers if a.rank is not None), key=lambda a: a.rank or 0)

    def as_dict(self) -> dict[str, Any]:
        """The compare as the HTTP API and ``bot compare --json`` show it."""
        return {
            "id": self.id,
            "question": self.question,
            "asker": self.asker,
            "channel": self.channel,
            "created_at": self.created_at.isoformat(),
            "status": self.status,
            "cached": self.cached,
            "cached_from_id": self.cached_from_id,
            "models": list(self.models),
            "notes": list(self.notes),
            "wall_ms": self.wall_ms,
            "answers": [a.as_dict() for a in self.answers],
            "ranking": {
                "method": self.ranking_method,
                "order": [a.position for a in self.ranked],
            },
            "judge_model": self.judge_model,
            "judge": self.judge,
        }


@dataclass(frozen=True, slots=True)
class NewCompare:
    """What `CompareStore.admit` records of a compare about to run."""

    asker: str
    channel: str
    question: str
    models: tuple[str, ...]
    notes: tuple[str, ...] = ()
    judge_model: str | None = None
    asker_contact_id: int | None = None
    #: A second rate-limit key the requester cannot choose (the HTTP API's peer address).
    caller: str | None = None

    @property
    def key(self) -> str:
        """Its `question_key`."""
        return question_key(self.question, self.models, self.judge_model)


@dataclass(frozen=True, slots=True)
class Admission:
    """What `CompareStore.admit` decided.

    Refused: ``retry_after_s`` is set and nothing was written. Otherwise
    ``query_id`` is the new row, and ``cached`` the stored result it reuses
    (None: the models must be asked).
    """

    query_id: int | None = None
    cached: StoredCompare | None = None
    retry_after_s: float | None = None
    #: The asker's compares within the rate-limit window, before this one.
    recent: int = 0
    #: When the query row was recorded.
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ModelStats:
    """How one model fared in the team's votes."""

    model_id: str
    #: Compares it answered in (cached repeats not counted twice).
    compares: int = 0
    #: Best-answer votes cast on compares it took part in, and how many chose it.
    contests: int = 0
    wins: int = 0
    up: int = 0
    down: int = 0

    @property
    def win_rate(self) -> float | None:
        """Wins per contest, or None before any best-answer vote."""
        return self.wins / self.contests if self.contests else None
