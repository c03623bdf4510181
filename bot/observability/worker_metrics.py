"""`bot worker`'s own ``/metrics`` port: every host that answers is scraped.

prometheus-client's HTTP server runs in a thread; the queue gauges are
refreshed from the job engine every few seconds by a task on the worker's loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from prometheus_client import start_http_server

from bot.observability import metrics

if TYPE_CHECKING:
    from bot.pipeline.jobs import Jobs
    from bot.settings import Settings

log = logging.getLogger(__name__)
#: How often the worker reads the queue's figures for its gauges.
QUEUE_REFRESH_S = 15.0


def serve_worker_metrics(settings: Settings, jobs: Jobs) -> asyncio.Task[None]:
    """Serve /metrics on WORKER_METRICS_PORT (unless 0) and keep the queue gauges fresh."""
    if settings.worker_metrics_port:
        try:
            start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host)
        except OSError as exc:
            # A second worker on the machine with the same port: it still answers.
            # Dying here would leave its share of the queue to the others, silently.
            log.warning(
                "no /metrics from this worker: %s:%s: %s (give each worker on a machine "
                "its own WORKER_METRICS_PORT)",
                settings.worker_metrics_host,
                settings.worker_metrics_port,
                exc.strerror or exc,
            )
        else:
            log.info(
                "metrics on http://%s:%s/metrics",
                settings.worker_metrics_host,
                settings.worker_metrics_port,
            )
    return asyncio.get_running_loop().create_task(_refresh(jobs))


async def _refresh(jobs: Jobs) -> None:
    while True:
        try:
            metrics.queue(await jobs.figures())
        except Exception:  # a missed refresh leaves the last figures; the next one retries
            log.warning("queue figures unavailable", exc_info=True)
        await asyncio.sleep(QUEUE_REFRESH_S)
