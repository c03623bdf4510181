"""Where answers are scheduled: one job per stored message, ordered per conversation.

`Jobs` is what the inbox and the HTTP API see. Two engines stand behind it:

- `LocalJobs` (SQLite, the embedded default, one machine): the job is a task
  on this process's event loop, ordered per conversation by `BackgroundWork`.
  What a crash loses, the start-up sweep (`bot.pipeline.sweep`) answers.
- `ProcrastinateJobs` (PostgreSQL, `bot.pipeline.engine`): a procrastinate job
  deferred in the very transaction that stores the message.

The job carries the message id only; its ``lock`` is the conversation, so a
conversation's answers run one at a time, in the order stored.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.pipeline.background import BackgroundWork, Job
from channels.base import OPT_IN_COMMAND, OPT_OUT_COMMAND, IncomingMessage
from memory.one_statement_intake import JobToDefer, OneStatementIntake

log = logging.getLogger(__name__)

#: Answers one stored message by id (`bot.pipeline.worker.MessageWorker.answer`).
Handler = Callable[[int], Awaitable[Any]]

_CONSENT_COMMANDS = frozenset({OPT_OUT_COMMAND, OPT_IN_COMMAND})


def answer_lock(incoming: IncomingMessage) -> str:
    """The ordering key: one conversation's answers go out in the order asked.

    A command's answer is the asker's alone (a Slack slash command answers through
    its own response_url), so one person's slow /enrich never holds up another
    person's /ask in the same channel. STOP and START are the exception: they
    change whether the conversation's next answers may be sent, so they keep
    its order ("START" then "Now?" must not answer "Now?" while still opted out).
    """
    key = f"{incoming.channel}:{incoming.conversation_key}"
    if incoming.command and incoming.command not in _CONSENT_COMMANDS:
        return f"{key}:{incoming.sender}"
    return key


class Jobs(abc.ABC):
    """Schedules answers and runs the work that is not durable (a refusal's note)."""

    #: Whether a scheduled answer survives this process (a job in PostgreSQL).
    durable: bool = False
    #: Stores a message and defers its job in one statement, where the engine can.
    intake: OneStatementIntake | None = None

    def __init__(self) -> None:
        self.handler: Handler | None = None
        # Best-effort notes to a person that were never stored (a refused message).
        self.work = BackgroundWork()
        # Callers waiting for an answer (the HTTP API): told when it runs here.
        self._waiters: dict[int, asyncio.Future[Any]] = {}

    @abc.abstractmethod
    async def schedule(self, session: AsyncSession, *, message_id: int, lock: str) -> None:
        """Schedule the answer of ``message_id`` inside the transaction storing it."""

    def stored(self, message_id: int) -> None:  # noqa: B027 - only LocalJobs waits for it
        """The storing transaction of ``message_id`` has ended (committed or not)."""

    def submit(self, key: str, job: Job, *, name: str = "job") -> asyncio.Task[None]:
        """Run ``job`` in this process, after earlier in-process jobs of ``key``."""
        return self.work.submit(key, job, name=name)

    async def drain(self, seconds: float = 30.0) -> bool:
        """Wait up to ``seconds`` for what was scheduled to finish. True if all did."""
        return await self.work.drain(seconds)

    @property
    def pending(self) -> int:
        """In-process jobs not finished."""
        return self.work.pending

    def every(self, name: str, seconds: float, run: Callable[[], Awaitable[Any]]) -> None:
        """Run ``run`` every ``seconds`` as a durable periodic job (the engine's only).

        In-process jobs have none: ``bot serve`` on SQLite runs its rounds in a loop.
        """
        raise NotImplementedError(f"periodic {name!r} needs the PostgreSQL job engine")

    def job_to_defer(self, lock: str) -> JobToDefer:
        """The answer job of a message, as `intake` defers it (engines with an intake)."""
        raise NotImplementedError("in-process jobs are scheduled by `schedule`")

    async def start_worker(self) -> None:  # noqa: B027 - in-process jobs need no worker
        """Start answering in this process (`bot serve` without ``--no-worker``)."""

    async def aclose(self, *, drain_seconds: float = 30.0) -> None:
        """Finish or hand back what this process runs, then let go of connections."""
        await self.drain(drain_seconds)

    async def figures(self) -> dict[str, Any]:
        """The queue as /healthz shows it."""
        return {"engine": "in-process", "running": self.pending}

    async def run(self, message_id: int) -> Any:
        """Answer ``message_id`` with the handler (what a job does); tell a waiter."""
        if self.handler is None:
            raise RuntimeError("no handler: the runtime sets one at start-up")
        result = await self.handler(message_id)
        waiter = self._waiters.get(message_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(result)
        return result

    async def wait(self, message_id: int, seconds: float) -> tuple[bool, Any]:
        """Wait for the job of ``message_id``: (finished, the handler's result if it ran here).

        Finished elsewhere (another worker), the result is None: read the answer from
        the database. Subclasses say how to see that (`finished_elsewhere`).
        """
        loop = asyncio.get_running_loop()
        waiter = self._waiters.setdefault(message_id, loop.create_future())
        deadline = loop.time() + seconds
        pause = 0.01
        try:
            while True:
                done, _ = await asyncio.wait([waiter], timeout=pause)
                if done:
                    return True, waiter.result()
                if await self.finished_elsewhere(message_id):
                    return True, None
                if loop.time() >= deadline:
                    return False, None
                pause = min(pause * 2, 0.2)  # a worker elsewhere: look less often
        finally:
            self._waiters.pop(message_id, None)

    async def finished_elsewhere(self, message_id: int) -> bool:
        """Whether the job of ``message_id`` finished in another process."""
        return False


class LocalJobs(Jobs):
    """Answers on this process's event loop, in order per conversation (SQLite)."""

    def __init__(self) -> None:
        super().__init__()
        # A job waits for its message's transaction to end: it must read the message.
        self._gates: dict[int, asyncio.Event] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}

    async def schedule(self, session: AsyncSession, *, message_id: int, lock: str) -> None:
        # Submitted inside the transaction, which holds SQLite's write lock: the order
        # of submission is the order of storing, even for concurrent webhooks.
        gate = self._gates[message_id] = asyncio.Event()

        async def answer() -> None:
            await gate.wait()
            await self.run(message_id)

        task = self.work.submit(lock, answer, name="answer")
        self._tasks[message_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(message_id, None))

    def stored(self, message_id: int) -> None:
        gate = self._gates.pop(message_id, None)
        if gate is not None:
            gate.set()

    async def finished_elsewhere(self, message_id: int) -> bool:
        # Its task is forgotten once done: it finished before anyone waited.
        return message_id not in self._tasks
