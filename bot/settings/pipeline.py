"""Settings of the answering pipeline: workers, recovery, the start-up sweep.

`bot.settings.Settings` reads these with the rest.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class PipelineSettings(BaseSettings):
    """How messages are answered: where workers run, how fast a dead one is replaced."""

    serve_worker: bool = Field(
        True,
        description=(
            "PostgreSQL: `bot serve` starts a `bot worker` process beside the web "
            "(--no-worker turns it off); the app alone under uvicorn answers in-process."
        ),
    )
    worker_concurrency: int = Field(
        20, ge=1, le=1000, description="Answers one worker process runs at once."
    )
    worker_heartbeat_s: float = Field(
        10.0, gt=0, description="How often a worker says it is alive (procrastinate)."
    )
    stalled_after_s: float = Field(
        30.0, gt=0, description="A worker silent this long is dead: its jobs run again."
    )
    stalled_check_s: int = Field(
        10, ge=1, le=3600, description="How often a worker looks for jobs of dead workers."
    )
    worker_shutdown_s: float = Field(
        25.0, ge=0, description="On SIGTERM, how long running answers may take to finish."
    )
    # One cheap query a second per worker bounds the wait for a job whose
    # notification a worker missed (while its LISTEN connection was being made).
    worker_poll_s: float = Field(
        1.0, gt=0, description="Fallback poll for jobs (LISTEN/NOTIFY wakes workers at once)."
    )
    answer_sweep_hours: float = Field(
        24.0,
        ge=0,
        description="SQLite: at start, answer unanswered messages at most this old (0: none).",
    )
    answer_wait_s: float = Field(
        120.0, gt=0, description="How long POST /api/v1/messages waits for its answer."
    )
