"""The `model_calls` log: what each model call cost, written in the caller's transaction.

Every store whose rows have model calls behind them (replies, /compare answers,
/enrich results, follow-ups) logs them here, so spend is counted in one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from memory.models import ModelCall, utcnow

MODEL_CALLS = ModelCall.__table__
_INSERT = insert(MODEL_CALLS)  # built once: one per stored reply


class CallUsage(Protocol):
    """What the `model_calls` log stores of one call; `agents`' `CallRecord` is one.

    A protocol, so the memory layer stores the providers' records as they are
    without importing `agents` (which sits above it).
    """

    @property
    def provider(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cost_usd(self) -> float | None: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def outcome(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    @property
    def cached_input_tokens(self) -> int: ...
    #: Of ``output_tokens``, those the model spent reasoning.
    @property
    def reasoning_tokens(self) -> int: ...
    @property
    def role(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ModelUsage:
    """A plain `CallUsage`, for callers outside `agents` (tools, tests)."""

    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    latency_ms: float
    outcome: str = "ok"
    error: str | None = None
    cached_input_tokens: int = 0
    role: str | None = None
    reasoning_tokens: int = 0


async def insert_model_calls(
    session: AsyncSession,
    calls: Sequence[CallUsage],
    *,
    agent: str | None,
    contact_id: int | None,
    message_id: int | None,
    routing_reason: str | None = None,
) -> None:
    """Log ``calls`` in ``model_calls`` within the caller's transaction (where spend is counted).

    For stores that write their own rows with the calls behind them in one
    transaction (/compare answers, /enrich results).
    """
    if not calls:
        return
    now = utcnow()
    await session.execute(
        _INSERT,
        [
            {
                "created_at": now,
                "provider": call.provider,
                "model": call.model,
                "agent": agent,
                "contact_id": contact_id,
                "message_id": message_id,
                "input_tokens": call.input_tokens,
                "output_tokens": call.output_tokens,
                "cached_input_tokens": call.cached_input_tokens,
                "reasoning_tokens": call.reasoning_tokens,
                "role": call.role,
                "cost_usd": call.cost_usd,
                "latency_ms": call.latency_ms,
                "outcome": call.outcome,
                "error": call.error,
                "routing_reason": routing_reason,
            }
            for call in calls
        ],
    )
