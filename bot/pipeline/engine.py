"""`ProcrastinateJobs`: answers as procrastinate jobs in PostgreSQL.

Why procrastinate: jobs sharing a ``lock`` run one at a time in the order
deferred, across every worker on every machine (per-conversation order);
a job is marked done only after it finishes; a worker's heartbeat lets the
stalled-jobs API find the jobs of a worker that died, which a periodic task
here hands back to the queue; periodic tasks run once per tick across all
workers. Its schema comes with our migrations (memory/migrations 0008).

Why the app keeps asyncpg: procrastinate's own connector speaks psycopg 3,
but its defer is a versioned SQL function. Calling that function from the
SQLAlchemy session that stores the message makes storing and scheduling one
transaction on the app's own driver: no second pool on the request path, no
outbox table and no sweeper. The worker side uses procrastinate's psycopg
connector, as it is meant to.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.pipeline.jobs import Jobs
from bot.settings.pipeline import PipelineSettings
from memory.db import Database
from memory.one_statement_intake import JobToDefer, OneStatementIntake

log = logging.getLogger(__name__)

#: The queue answers go through, and the task that answers one message.
ANSWERS_QUEUE = "answers"
ANSWER_TASK = "bot.answer_message"
#: Periodic rounds (follow-ups) hold this lock + their name: one round at a time.
ROUND_LOCK = "bot.round:"
#: procrastinate's defer, as its own ``defer_jobs`` query calls it (schema 3.x).
_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), 0, CAST(:lock AS text), "
    "NULL, CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
)
_QUEUE_FIGURES = text(
    "SELECT count(*) FILTER (WHERE status = 'todo'),"
    " count(*) FILTER (WHERE status = 'doing'),"
    " extract(epoch FROM now() - min(scheduled_or_created) FILTER (WHERE status = 'todo'))"
    " FROM (SELECT j.status, coalesce(j.scheduled_at, e.at) AS scheduled_or_created"
    "  FROM procrastinate_jobs j LEFT JOIN procrastinate_events e"
    "  ON e.job_id = j.id AND e.type = 'deferred'"
    "  WHERE j.status IN ('todo', 'doing')) AS waiting"
)
_HANDLED = text("SELECT handled_at FROM messages WHERE id = :id")
_WORKERS_SEEN = text(
    "SELECT count(*) FROM procrastinate_workers"
    " WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
)


def _cron(seconds: float) -> str:
    """A cron line for "every ``seconds``" (procrastinate's sixth column is seconds)."""
    every = max(1, int(seconds))
    if every < 60:
        return f"* * * * * */{every}"
    return f"*/{min(59, max(1, every // 60))} * * * *"


def _pool_size(settings: PipelineSettings) -> int:
    """Connections of procrastinate's pool: its one-at-a-time fetch loop must not wait
    behind the status writes of as many running jobs (4 held 100 answers/s to ~10/s)."""
    return min(16, 4 + settings.worker_concurrency // 20)


def psycopg_conninfo(db: Database) -> tuple[str, dict[str, Any]]:
    """The app's SQLAlchemy URL as a psycopg conninfo, and the connection options."""
    url = make_url(db.url).set(drivername="postgresql")
    options: dict[str, Any] = {}
    if db.schema:  # tests: every table, procrastinate's too, in the test's own schema
        options["options"] = f"-c search_path={db.schema}"
    return url.render_as_string(hide_password=False), options


class ProcrastinateJobs(Jobs):
    """Answer jobs in PostgreSQL; workers anywhere run them (`bot worker`, `bot serve`)."""

    durable = True

    def __init__(self, db: Database, settings: PipelineSettings) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        conninfo, options = psycopg_conninfo(db)
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=conninfo, kwargs=options, min_size=1, max_size=_pool_size(settings)
            )
        )
        # A job that raised (the database went away mid-answer) or was handed back at
        # shutdown runs again; the worker's checks keep a second run from re-sending.
        self.app.task(
            name=ANSWER_TASK,
            queue=ANSWERS_QUEUE,
            retry=procrastinate.RetryStrategy(max_attempts=20, linear_wait=2),
        )(self._answer_job)
        self.app.periodic(cron=_cron(settings.stalled_check_s), periodic_id="stalled")(
            self.app.task(name="bot.retry_stalled_jobs", queue=ANSWERS_QUEUE)(self._retry_stalled)
        )
        self.intake = OneStatementIntake(db)
        self.periodic_tasks: dict[str, Any] = {}
        self._worker_task: Any = None
        self._opened = False

    def every(self, name: str, seconds: float, run: Callable[[], Awaitable[Any]]) -> None:
        """Run ``run`` every ``seconds`` on whichever worker takes it: once per tick
        across all workers (procrastinate's periodic deferrer), one at a time (a lock).

        A round whose worker died is handed back by the stalled-jobs check and
        runs again; the next rounds wait behind it for the lock. Register before
        the worker starts.
        """

        async def round_job(timestamp: int) -> None:
            await run()

        task = self.app.task(name=f"bot.round.{name}", queue=ANSWERS_QUEUE, pass_context=False)
        self.app.periodic(cron=_cron(seconds), periodic_id=name, lock=ROUND_LOCK + name)(
            task(round_job)
        )

    async def open(self) -> None:
        """Open procrastinate's connection pool (the worker's side)."""
        if not self._opened:
            await self.app.open_async()
            self._opened = True

    async def schedule(self, session: AsyncSession, *, message_id: int, lock: str) -> None:
        await session.execute(
            _DEFER,
            {
                "queue": ANSWERS_QUEUE,
                "task": ANSWER_TASK,
                "lock": lock,
                "args": json.dumps({"message_id": message_id}),
            },
        )

    def job_to_defer(self, lock: str) -> JobToDefer:
        return JobToDefer(queue=ANSWERS_QUEUE, task=ANSWER_TASK, lock=lock, args={})

    async def _answer_job(self, message_id: int) -> None:
        await self.run(message_id)

    async def _retry_stalled(self, timestamp: int) -> None:
        """Hand back the jobs of workers whose heartbeat stopped (they died mid-job)."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=self.settings.stalled_after_s
        )
        for job in stalled:
            log.warning("job %s (%s) of a dead worker runs again", job.id, job.task_name)
            try:
                await manager.retry_job(job)
            except Exception:  # one job's trouble must not keep the others stalled
                log.exception("could not hand back job %s", job.id)

    async def run_worker(self, *, install_signal_handlers: bool = False) -> None:
        """Run a worker until cancelled (or, with signal handlers, SIGTERM / SIGINT).

        On stop it takes no new job and waits up to WORKER_SHUTDOWN_S for the
        running ones; what is still running then is aborted and retried later.

        procrastinate's worker ends with `ConnectorException` when the database
        drops a connection (a restart, a failover, a network blip); a bot whose
        worker died so would store every message and answer none. So it starts
        again, waiting longer each time (up to 30 s) while the database is away.
        """
        await self.open()
        delay = 1.0
        while True:
            try:
                await self.app.run_worker_async(
                    queues=[ANSWERS_QUEUE],
                    concurrency=self.settings.worker_concurrency,
                    install_signal_handlers=install_signal_handlers,
                    update_heartbeat_interval=self.settings.worker_heartbeat_s,
                    stalled_worker_timeout=self.settings.stalled_after_s,
                    shutdown_graceful_timeout=self.settings.worker_shutdown_s,
                    delete_jobs="successful",
                    # LISTEN/NOTIFY wakes the worker at once; the poll is only the fallback.
                    fetch_job_polling_interval=self.settings.worker_poll_s,
                )
                return
            except procrastinate.exceptions.ConnectorException as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # Stopping (shutdown cancelled us): a database error on the way out
                    # must not turn into a new worker that never stops.
                    raise
                log.warning(
                    "the job worker lost the database (%s); starting it again in %.0f s",
                    exc.__cause__ or exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def start_worker(self) -> None:
        await self.open()
        self._worker_task = asyncio.create_task(self.run_worker(), name="procrastinate-worker")

    async def drain(self, seconds: float = 30.0) -> bool:
        """Wait until no answer job waits or runs (tests, `bot chat`); True if none is left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            figures = await self._queue_counts()
            if figures[0] == 0 and figures[1] == 0:
                return await super().drain(max(0.0, deadline - loop.time()))
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)

    async def aclose(self, *, drain_seconds: float = 30.0) -> None:
        if self._worker_task is not None:
            # Cancelling procrastinate's worker is its graceful stop (see run_worker).
            self._worker_task.cancel()
            # A database error on the way out (the database is what went away) ends it too.
            with contextlib.suppress(
                asyncio.CancelledError, procrastinate.exceptions.ConnectorException
            ):
                await self._worker_task
            self._worker_task = None
        await self.work.drain(drain_seconds)
        if self._opened:
            await self.app.close_async()
            self._opened = False

    async def finished_elsewhere(self, message_id: int) -> bool:
        async with self.db.sessions() as session:
            handled = await session.scalar(_HANDLED, {"id": message_id})
        return handled is not None

    async def _queue_counts(self) -> tuple[int, int, float | None]:
        async with self.db.sessions() as session:
            todo, doing, oldest = (await session.execute(_QUEUE_FIGURES)).one()
        return int(todo), int(doing), None if oldest is None else float(oldest)

    async def figures(self) -> dict[str, Any]:
        todo, doing, oldest = await self._queue_counts()
        async with self.db.sessions() as session:
            workers = await session.scalar(
                _WORKERS_SEEN, {"seconds": self.settings.stalled_after_s}
            )
        return {
            "engine": "procrastinate",
            "waiting": todo,
            "running": doing,
            "oldest_waiting_s": None if oldest is None else round(oldest, 3),
            "workers_seen": int(workers or 0),
            "worker_here": self._worker_task is not None,
        }
