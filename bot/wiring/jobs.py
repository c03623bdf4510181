"""Choosing the job engine for a runtime."""

from __future__ import annotations

from typing import Literal

from bot.pipeline.jobs import Jobs, LocalJobs
from bot.settings.pipeline import PipelineSettings
from memory.db import Database

#: "auto": procrastinate on PostgreSQL, in-process on SQLite; "local": in-process always
#: (the CLI's own commands, whose answers go to this terminal).
Engine = Literal["auto", "local"]


def build_jobs(db: Database, settings: PipelineSettings, engine: Engine = "auto") -> Jobs:
    """The `Jobs` for ``db``."""
    if engine == "auto" and db.dialect == "postgresql":
        from bot.pipeline.engine import ProcrastinateJobs

        return ProcrastinateJobs(db, settings)
    return LocalJobs()
