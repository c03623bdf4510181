"""What a /compare produces: each model's answer, the scores, the judge's verdicts, the ranking.

Plain frozen values, shared by the runner (`agents.compare.runner`), the
command and its store (`bot.compare.command`, `memory.compare`), the HTTP API
and the CLI. Answers are identified by their ``position`` in the line-up
(1, 2, 3: the order of ``COMPARE_MODELS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from agents.providers.base import CallRecord

#: pending: still running; ok: answered; timeout: past its deadline; failed: an error.
AnswerStatus = Literal["pending", "ok", "timeout", "failed"]


@dataclass(frozen=True, slots=True)
class Contestant:
    """A model in the line-up, by position."""

    position: int
    model_id: str


@dataclass(frozen=True, slots=True)
class Lineup:
    """The models a compare asks, and notes on the ones left out (no key) or why local only."""

    contestants: tuple[Contestant, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """One model's answer, or why there is none (``error`` says it for timeout/failed)."""

    position: int
    model_id: str
    status: AnswerStatus = "pending"
    text: str = ""
    error: str | None = None
    latency_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    #: The model's finish reason (``stop``, ``length``, ...) when it answered.
    finish_reason: str | None = None
    #: Every model call behind the answer (for the model_calls log and the budget).
    calls: tuple[CallRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class HeuristicScore:
    """The always-on score of one answer, 0..1, and its parts (structure, completeness, ...)."""

    total: float
    parts: dict[str, float] = field(default_factory=dict)
    refusal: bool = False


#: A pair's verdict: the winning position, or one of these words.
PairOutcome = int | Literal["tie", "inconsistent", "invalid"]


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """The judge on two answers, asked in both orders.

    ``verdicts`` holds what each order gave (a position as text, ``tie`` or
    ``invalid``): ``verdicts[0]`` with ``first`` (the lower position) shown as
    Answer A, ``verdicts[1]`` with ``second`` shown as A. ``outcome`` is the
    winner when both orders agree, ``tie`` when both say tie, ``invalid`` when
    either order broke the format (or its call failed), else ``inconsistent``.
    """

    first: int
    second: int
    verdicts: tuple[str, str]
    outcome: PairOutcome


@dataclass(frozen=True, slots=True)
class JudgeReport:
    """What the LLM judge concluded, or why it did not (``outcome`` skipped/failed)."""

    model_id: str
    outcome: Literal["winner", "tie", "inconsistent", "skipped", "failed"]
    winner: int | None = None
    pairs: tuple[PairVerdict, ...] = ()
    #: Positions the judge did not judge: its own answers.
    excluded: tuple[int, ...] = ()
    note: str | None = None
    calls: tuple[CallRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Ranking:
    """The positions best first, by the judge where it decided, else by heuristic score."""

    order: tuple[int, ...]
    scores: dict[int, HeuristicScore]
    method: Literal["heuristic", "judge"] = "heuristic"
    judge: JudgeReport | None = None


@dataclass(frozen=True, slots=True)
class CompareOutcome:
    """A finished compare: answers by position; ``wall_ms`` is the whole run, judge included."""

    question: str
    answers: tuple[ModelAnswer, ...]
    notes: tuple[str, ...] = ()
    ranking: Ranking | None = None
    wall_ms: float = 0.0
