"""``bot serve``: the HTTP app under uvicorn."""

from __future__ import annotations

import contextlib
import os

import click

from bot.log_setup import log_config
from bot.observability.multiprocess import shared_metrics_dir
from bot.pipeline.worker_processes import WorkerProcesses
from bot.settings import Settings, get_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web processes; they share state only through the database (PostgreSQL for >1).",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="PostgreSQL: only verify, store, schedule and acknowledge; `bot worker` answers.",
)
@click.option(
    "--slack-socket-mode",
    is_flag=True,
    help="Receive Slack over Socket Mode (SLACK_APP_TOKEN) instead of /slack/events.",
)
@click.option(
    "--telegram-polling",
    is_flag=True,
    help="Fetch Telegram updates with getUpdates instead of the webhook (local use).",
)
def serve(
    host: str,
    port: int,
    workers: int,
    no_worker: bool,
    slack_socket_mode: bool,
    telegram_polling: bool,
) -> None:
    """Serve the channel webhooks, /healthz and the HTTP API.

    On PostgreSQL the web processes verify, store, schedule and acknowledge, and
    one `bot worker` process started beside them answers (unless --no-worker);
    on SQLite answers run in this one process.
    """
    if telegram_polling and workers > 1:
        # Telegram lets one client poll at a time; a second worker's getUpdates fails.
        raise click.UsageError("--telegram-polling needs --workers 1")
    # The flags travel as settings, so every worker process reads them the same way.
    if slack_socket_mode:
        os.environ["SLACK_SOCKET_MODE"] = "true"
    if telegram_polling:
        os.environ["TELEGRAM_POLLING"] = "true"
    get_settings.cache_clear()
    settings = get_settings()  # fail here, with one line, rather than in every worker
    on_sqlite = settings.database_url.startswith("sqlite")
    answer_here = settings.serve_worker and not no_worker and not on_sqlite
    if not on_sqlite:
        # The web processes only acknowledge: answering runs in a worker process (below)
        # or in `bot worker` elsewhere, never on the event loop webhooks wait on.
        os.environ["SERVE_WORKER"] = "false"
        get_settings.cache_clear()
    if workers > 1 and on_sqlite:
        # In-process answers live in one process; order and the start-up sweep hold there only.
        raise click.UsageError(
            "--workers > 1 needs PostgreSQL: on SQLite one process answers, in order"
        )
    if no_worker and on_sqlite:
        raise click.UsageError("--no-worker needs PostgreSQL: on SQLite serve answers in-process")
    if workers > 1 or answer_here:
        # Several processes: their counters meet in files that /metrics merges.
        shared_metrics_dir()
    worker_processes = (
        WorkerProcesses(1, stop_timeout_s=settings.worker_shutdown_s + 5)
        if answer_here
        else contextlib.nullcontext()
    )
    with worker_processes:
        _run_web(settings, host=host, port=port, workers=workers)


def _run_web(settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "bot.http.asgi:app",
        host=host,
        port=port,
        workers=workers,
        # Applied by uvicorn here and in each worker: the bot's lines at LOG_LEVEL
        # beside uvicorn's (bot.http.asgi masks personal data in every worker).
        log_config=log_config(settings.log_level, settings.log_format),
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
