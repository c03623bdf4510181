"""A worker whose /metrics port is taken keeps answering: a warning, not an exit."""

from __future__ import annotations

import logging
import socket

import pytest

from bot.observability.worker_metrics import serve_worker_metrics
from bot.pipeline.jobs import LocalJobs
from bot.settings import load_settings


async def test_a_taken_metrics_port_is_a_warning(caplog: pytest.LogCaptureFixture):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = load_settings(_env_file=None, worker_metrics_port=port)
        with caplog.at_level(logging.WARNING, logger="bot.observability.worker_metrics"):
            refresh = serve_worker_metrics(settings, LocalJobs())
        refresh.cancel()

    [warning] = [r.getMessage() for r in caplog.records]
    assert f"no /metrics from this worker: 127.0.0.1:{port}" in warning
    assert "WORKER_METRICS_PORT" in warning
