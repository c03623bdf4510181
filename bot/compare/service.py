"""`CompareService`: the one way to compare, for every channel, the HTTP API and the CLI.

It checks the question and the asker's rate limit, serves a repeat from the
stored result, runs `agents.compare.runner.CompareRunner`, stores the answers
and logs every model call (so spend is tracked). The chat commands are in
`bot.compare.command`.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from agents.compare.briefing import Briefing
from agents.compare.lineup import choose_lineup
from agents.compare.result import ModelAnswer
from agents.compare.runner import CompareRunner
from agents.errors import AgentError
from agents.providers.base import ModelProvider
from agents.providers.factory import ProviderFactory
from bot.compare.admission import CompareRefusedError, CompareTicket, checked_question
from bot.compare.stored import stored_answer, stored_compare
from bot.costs.budget import BudgetMonitor
from memory.compare import (
    CompareStore,
    ModelStats,
    NewCompare,
    StoredAnswer,
    StoredCompare,
    VoteKind,
)
from memory.conversations import ConversationStore

log = logging.getLogger(__name__)

#: The rate limit's window: COMPARE_RATE_LIMIT compares per this many seconds.
RATE_WINDOW_S = 60.0
#: The model_calls ``agent`` of compare calls.
AGENT = "/compare"

#: Awaited with each answer as it arrives, as the stored form shows it (no score yet).
AnswerListener = Callable[[StoredAnswer], Awaitable[None]]


class CompareService:
    """Runs, ranks, caches and stores compares; every channel, the API and the CLI use it."""

    def __init__(
        self,
        *,
        store: CompareStore,
        providers: ProviderFactory,
        conversations: ConversationStore,
        budget: BudgetMonitor | None,
        model_ids: list[str],
        judge_model: str | None = None,
        timeout_s: float = 30.0,
        deadline_s: float = 45.0,
        max_tokens: int = 600,
        rate_limit: int = 10,
        cache_ttl_s: float = 3600.0,
    ) -> None:
        self.store = store
        self.providers = providers
        # Model calls are logged with the answers, in `CompareStore.finish`'s transaction.
        self.conversations = conversations
        self.budget = budget
        self.model_ids = model_ids
        self.judge_model = providers.model_id(judge_model) if judge_model else None
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s
        self.max_tokens = max_tokens
        self.rate_limit = rate_limit
        self.cache_ttl_s = cache_ttl_s
        # Reads settings only (which models have keys): the same for the process's life.
        self.lineup = choose_lineup(model_ids, providers)
        #: The business's context for the models (set by the runtime); None asks bare.
        self.briefing: Briefing | None = None
        self._runner: CompareRunner | None = None
        self._judge_notes: tuple[str, ...] = ()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def admit(
        self,
        question: str,
        *,
        asker: str,
        caller: str | None = None,
        channel: str = "api",
        contact_id: int | None = None,
        fresh: bool = False,
    ) -> CompareTicket:
        """Check ``question`` and ``asker``'s rate limit and record the compare.

        Raises `CompareRefusedError` (nothing recorded) for an empty or too
        long question, or an asker, or a ``caller`` (a key the requester
        cannot choose, such as the HTTP API's peer address), over
        ``COMPARE_RATE_LIMIT`` a minute. The ticket says whether a stored
        result will be served instead of a run.
        """
        question = checked_question(question)
        lineup = self.lineup
        admission = await self.store.admit(
            NewCompare(
                asker=asker,
                caller=caller,
                channel=channel,
                question=question,
                models=tuple(c.model_id for c in lineup.contestants),
                notes=lineup.notes,
                judge_model=self.judge_model,
                asker_contact_id=contact_id,
            ),
            rate_limit=self.rate_limit,
            window_s=RATE_WINDOW_S,
            cache_ttl_s=self.cache_ttl_s,
            fresh=fresh,
        )
        if admission.retry_after_s is not None:
            wait = max(1, math.ceil(admission.retry_after_s))
            raise CompareRefusedError(
                f"You have run {admission.recent} compares in the last minute (the limit is "
                f"{self.rate_limit} a minute). Try again in {wait} second{'s' * (wait != 1)}.",
                reason="rate_limited",
                retry_after_s=wait,
            )
        assert admission.query_id is not None and admission.created_at is not None
        return CompareTicket(
            query_id=admission.query_id,
            question=question,
            asker=asker,
            channel=channel,
            created_at=admission.created_at,
            contact_id=contact_id,
            lineup=lineup,
            cached=admission.cached,
        )

    async def run(
        self,
        ticket: CompareTicket,
        *,
        on_answer: AnswerListener | None = None,
        bare: bool = False,
    ) -> StoredCompare:
        """Ask the models (unless the ticket is cached), store everything, return the result.

        The models get the business's briefing unless ``bare``.
        """
        if ticket.cached is not None:
            return ticket.cached
        briefing = "" if bare or self.briefing is None else await self.briefing(ticket.question)

        async def arrived(answer: ModelAnswer) -> None:
            if on_answer is not None:
                await on_answer(stored_answer(answer))

        try:
            outcome = await self._compare_runner().run(
                ticket.question, ticket.lineup, on_answer=arrived, briefing=briefing
            )
        except BaseException as exc:
            # Cancelled or broken: the row must not stay "running" (or be served as cached).
            try:
                await asyncio.shield(self.store.fail(ticket.query_id, f"broke off: {exc!r}"))
            except Exception:
                log.exception("could not mark compare %d as failed", ticket.query_id)
            raise
        stored = stored_compare(
            ticket, outcome, judge_model=self.judge_model, judge_notes=self._judge_notes
        )
        calls = [call for answer in outcome.answers for call in answer.calls]
        if outcome.ranking and outcome.ranking.judge:
            calls += outcome.ranking.judge.calls
        await self.store.finish(stored, calls=calls, agent=AGENT, contact_id=ticket.contact_id)
        if self.budget is not None:
            await self.budget.after_calls(calls, contact_id=ticket.contact_id)
        return stored

    def start(
        self, ticket: CompareTicket, *, on_answer: AnswerListener | None = None
    ) -> asyncio.Task[StoredCompare]:
        """`run` in a task the service keeps: it finishes (and is stored) even if nobody waits."""
        task = asyncio.create_task(self.run(ticket, on_answer=on_answer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def compare(
        self,
        question: str,
        *,
        asker: str,
        caller: str | None = None,
        channel: str = "api",
        contact_id: int | None = None,
        fresh: bool = False,
        on_answer: AnswerListener | None = None,
    ) -> StoredCompare:
        """`admit` then `run`: one compare from question to stored result."""
        ticket = await self.admit(
            question,
            asker=asker,
            caller=caller,
            channel=channel,
            contact_id=contact_id,
            fresh=fresh,
        )
        return await self.run(ticket, on_answer=on_answer)

    async def get(self, query_id: int) -> StoredCompare | None:
        """A stored compare by id."""
        return await self.store.get(query_id)

    async def vote(
        self, query_id: int, position: int, *, voter: str, kind: VoteKind
    ) -> StoredAnswer | None:
        """Store ``voter``'s vote (one per slot; a new one replaces it); None: no such answer."""
        return await self.store.vote(query_id, position, voter=voter, kind=kind)

    async def stats(self) -> list[ModelStats]:
        """Win rates and thumbs per model."""
        return await self.store.stats()

    async def aclose(self) -> None:
        """Let compares that nobody waits for (an SSE client gone) finish and be stored."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.deadline_s + 5)

    def _compare_runner(self) -> CompareRunner:
        if self._runner is None:
            self._runner = CompareRunner(
                self.providers.create,
                timeout_s=self.timeout_s,
                deadline_s=self.deadline_s,
                max_tokens=self.max_tokens,
                judge=self._judge(),
            )
        return self._runner

    def _judge(self) -> ModelProvider | None:
        if self.judge_model is None:
            return None
        retired = self.providers.retired(self.judge_model)
        if retired is not None:  # skipped: the heuristics rank the answers instead
            self._judge_notes = (
                f"The judge is skipped: {retired.lifecycle_note(self.providers.today())}",
            )
            return None
        # The model alone, not a fallback chain: the judge must be the model it says it is
        # (it never judges its own answer).
        try:
            return self.providers.create(self.judge_model)
        except AgentError as exc:
            log.warning("compare judge %s unavailable: %s", self.judge_model, exc)
            self._judge_notes = (f"The judge {self.judge_model} is unavailable: {exc}",)
            return None
