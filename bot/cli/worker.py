"""``bot worker``: answer messages, on any machine that shares the PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import click

from bot.pipeline.engine import ProcrastinateJobs
from bot.settings import get_settings


@click.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1000),
    default=None,
    help="Answers run at once (default WORKER_CONCURRENCY).",
)
def worker(concurrency: int | None) -> None:
    """Answer stored messages, send follow-ups, run commands (PostgreSQL only).

    Run any number, on any machine with DATABASE_URL: a conversation's messages
    are answered one at a time, in order, whichever worker takes them. SIGTERM
    stops taking jobs and lets running answers finish (WORKER_SHUTDOWN_S).
    """
    from bot.observability import tracing
    from bot.observability.worker_metrics import serve_worker_metrics
    from bot.runtime import Runtime

    settings = get_settings()
    if not settings.database_url.startswith("postgresql"):
        raise click.UsageError(
            "bot worker needs PostgreSQL (DATABASE_URL): on SQLite, bot serve answers in-process"
        )
    if concurrency is not None:
        settings = settings.model_copy(update={"worker_concurrency": concurrency})

    tracing.configure(trace_content=settings.trace_content)  # on when OTEL_* asks for traces

    async def main() -> None:
        # The channels are built to send; their receiving loops stay off (that is serve's).
        runtime = await Runtime.start(settings, worker=False)
        jobs = runtime.inbox.jobs
        assert isinstance(jobs, ProcrastinateJobs)  # PostgreSQL, checked above
        scrape = serve_worker_metrics(settings, jobs)
        try:
            await jobs.run_worker(install_signal_handlers=True)
        finally:
            scrape.cancel()
            await runtime.aclose()

    _event_loop_run(main())


def _event_loop_run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop where it is installed (uvicorn[standard] brings it, as it does for
    ``bot serve``): a worker is mostly event-loop and socket work, which uvloop does in C."""
    try:
        import uvloop
    except ImportError:  # e.g. Windows
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)
