"""`CompareRunner`: ask every model of a line-up at once, then score, judge and rank.

Each model runs in its own task with its own deadline (``timeout_s``), and
the whole compare has one too (``deadline_s``, the judge included), so a slow
or failing model is shown as timed out or failed and never holds the others
back: the wall time is the slowest answer's, not the sum. Answers reach
``on_answer`` in the order they arrive, which is what lets a channel fill in
a row the moment its model is done.

The runner does no I/O of its own beyond the model calls: storing, caching
and logging costs are the caller's (`bot.compare.command`), from the
`CompareOutcome` and the `CallRecord` values on every answer and on the judge.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from agents.compare.judge import Judge
from agents.compare.result import (
    AnswerStatus,
    CompareOutcome,
    Contestant,
    JudgeReport,
    Lineup,
    ModelAnswer,
)
from agents.compare.scoring import rank, score_answers
from agents.errors import AgentError, OutputError, ProviderError, ProviderTimeoutError
from agents.providers.base import CallOptions, CallRecord, ChatMessage, Completion, ModelProvider

log = logging.getLogger(__name__)

#: Awaited with each answer as it arrives (timeouts and failures included).
AnswerCallback = Callable[[ModelAnswer], Awaitable[None]]

#: What every contestant is told, so answers are comparable.
SYSTEM_PROMPT = "Answer the question directly and completely."
#: The ``role`` of the contestants' calls in the model_calls log.
COMPARE_ROLE = "compare"
#: The least time an ``on_answer`` call gets, even when the deadline is near.
CALLBACK_GRACE_S = 1.0


class CompareRunner:
    """Runs compares; one instance serves many at once (it keeps no per-compare state).

    ``models`` builds the provider of a contestant's model id: usually
    `ProviderFactory.create`, one model alone, never a fallback chain, so a
    failing model shows as failed instead of hiding behind another.
    """

    def __init__(
        self,
        models: Callable[[str], ModelProvider],
        *,
        timeout_s: float,
        deadline_s: float,
        max_tokens: int = 600,
        judge: ModelProvider | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._models = models
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s
        self.max_tokens = max_tokens
        self.judge = Judge(judge, rng=rng) if judge is not None else None

    async def run(
        self,
        question: str,
        lineup: Lineup,
        *,
        on_answer: AnswerCallback | None = None,
        briefing: str = "",
    ) -> CompareOutcome:
        """Ask ``question`` of every contestant at once; score, judge and rank the answers.

        ``briefing`` (the business's context, see `agents.compare.briefing`) is added
        to every contestant's system prompt alike.
        """
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        # Build every provider before any clock starts: the first build imports a
        # vendor SDK, which blocks the event loop for a moment and would otherwise
        # eat the deadline of the models already waiting for an answer.
        providers = [self._provider(contestant) for contestant in lineup.contestants]
        deadline = loop.time() + self.deadline_s
        limit = min(self.timeout_s, self.deadline_s)
        system = f"{SYSTEM_PROMPT}\n\n{briefing}" if briefing else SYSTEM_PROMPT
        messages = [ChatMessage("system", system), ChatMessage("user", question)]
        tasks = [
            asyncio.create_task(self._ask(contestant, provider, messages, limit))
            for contestant, provider in zip(lineup.contestants, providers, strict=True)
        ]
        arrived: dict[int, ModelAnswer] = {}
        try:
            for next_answer in asyncio.as_completed(tasks):
                answer = await next_answer
                arrived[answer.position] = answer
                if on_answer is not None:
                    await _notify(on_answer, answer, deadline - loop.time())
        finally:
            for task in tasks:  # only pending if run() itself was cancelled
                task.cancel()
        answers = tuple(arrived[contestant.position] for contestant in lineup.contestants)

        report: JudgeReport | None = None
        if self.judge is not None:
            report = await self.judge.judge(
                question, answers, timeout_s=max(0.0, deadline - loop.time())
            )
        scores = score_answers(question, answers)
        return CompareOutcome(
            question=question,
            answers=answers,
            notes=lineup.notes,
            ranking=rank(answers, scores, report),
            wall_ms=_ms_since(started),
        )

    def _provider(self, contestant: Contestant) -> ModelProvider | Exception:
        """The contestant's provider, or why it cannot be built (shown as its failure)."""
        try:
            return self._models(contestant.model_id)
        except Exception as exc:
            if not isinstance(exc, AgentError):
                log.exception("compare: building %s failed", contestant.model_id)
            return exc

    async def _ask(
        self,
        contestant: Contestant,
        provider: ModelProvider | Exception,
        messages: list[ChatMessage],
        limit: float,
    ) -> ModelAnswer:
        """One contestant's answer, or why there is none; never raises (but for cancellation)."""
        pending = ModelAnswer(position=contestant.position, model_id=contestant.model_id)
        started = time.perf_counter()
        try:
            if isinstance(provider, Exception):
                raise provider
            async with asyncio.timeout(limit):
                completion = await provider.complete(
                    messages, CallOptions(max_tokens=self.max_tokens)
                )
        except TimeoutError:
            reason = f"no answer within {limit:g} s"
            provider_name, _, model = contestant.model_id.partition(":")
            # The request was abandoned: no usage is known, but the attempt is logged.
            call = CallRecord(
                provider=provider_name,
                model=model,
                latency_ms=_ms_since(started),
                outcome="timeout",
                error=reason,
                role=COMPARE_ROLE,
            )
            return replace(
                pending, status="timeout", error=reason, latency_ms=call.latency_ms, calls=(call,)
            )
        except (ProviderError, OutputError) as exc:
            status: AnswerStatus = "timeout" if isinstance(exc, ProviderTimeoutError) else "failed"
            log.info("compare: %s %s: %s", contestant.model_id, status, exc)
            return replace(
                pending,
                status=status,
                error=str(exc) or type(exc).__name__,
                latency_ms=_ms_since(started),
                calls=_as_compare(exc.calls),
            )
        except AgentError as exc:
            return replace(pending, status="failed", error=str(exc), latency_ms=_ms_since(started))
        except Exception as exc:  # a bug in one provider must not sink the compare
            if exc is not provider:  # a build failure was logged when it happened
                log.exception("compare: %s raised", contestant.model_id)
            error = f"{type(exc).__name__}: {exc}"
            return replace(pending, status="failed", error=error, latency_ms=_ms_since(started))
        return _answered(pending, completion, _ms_since(started))


def _answered(pending: ModelAnswer, completion: Completion, latency_ms: float) -> ModelAnswer:
    """``pending`` filled from ``completion``.

    Latency is the time measured here, retries included: what the asker
    waited. Cost covers every call behind the answer (None if a price is unknown).
    """
    return replace(
        pending,
        status="ok",
        text=completion.text,
        latency_ms=latency_ms,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        cost_usd=completion.total_cost_usd,
        finish_reason=completion.finish_reason,
        calls=_as_compare(completion.call_log),
    )


async def _notify(on_answer: AnswerCallback, answer: ModelAnswer, remaining: float) -> None:
    """Hand ``answer`` to the callback; its failure or hang is logged, never raised."""
    try:
        async with asyncio.timeout(max(remaining, CALLBACK_GRACE_S)):
            await on_answer(answer)
    except Exception:
        log.exception("compare: on_answer failed for answer %d", answer.position)


def _as_compare(calls: tuple[CallRecord, ...]) -> tuple[CallRecord, ...]:
    return tuple(replace(call, role=COMPARE_ROLE) for call in calls)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
