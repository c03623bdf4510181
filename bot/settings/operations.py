"""Settings of running it in production: logs, metrics, readiness, retention.

`bot.settings.Settings` reads these with the rest.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings


class OpsSettings(BaseSettings):
    """What an operator's probes, scrapers and log shippers need."""

    log_level: str = Field("INFO")
    metrics_token: str | None = Field(
        None, description="Bearer token /metrics asks for; unset, /metrics is open."
    )
    worker_metrics_port: int = Field(
        9464, ge=0, le=65535, description="`bot worker` serves /metrics here (0: off)."
    )
    worker_metrics_host: str = Field(
        "127.0.0.1", description="Address `bot worker` serves /metrics on (0.0.0.0 in a container)."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="json: one JSON object per line, for a log shipper."
    )
    trace_content: bool = Field(
        False, description="Traces (OTEL_*) carry message and reply text: personal data."
    )
    readyz_queue_max: int = Field(
        1000, ge=0, description="/readyz fails with more jobs waiting than this."
    )
    readyz_queue_age_s: float = Field(
        300.0, ge=0, description="/readyz fails when the oldest waiting job is older."
    )
    retention_days: int = Field(
        0,
        ge=0,
        description="Anonymise messages and stored model text older than this (0: keep all).",
    )
    readyz_model_cache_s: float = Field(
        30.0, ge=0, description="How long /readyz reuses the model's readiness answer."
    )

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level
