"""The start-up sweep of the embedded (SQLite, in-process) path.

In-process jobs die with their process. At start, every stored message whose
job never finished is answered, oldest first, in its conversation's order,
within bounds: younger than ANSWER_SWEEP_HOURS; not in a conversation a
person has; only on the channels this process sends on (a console or HTTP
API asker is gone with the process that waited for the answer). A sender
who opted out meanwhile is not answered: the worker checks, as for any job.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta

from bot.pipeline.codec import incoming_from_json
from bot.pipeline.jobs import Jobs, answer_lock
from memory.models import utcnow
from memory.pipeline import PipelineStore

log = logging.getLogger(__name__)


async def sweep_unanswered(
    *, store: PipelineStore, jobs: Jobs, channels: Collection[str], hours: float
) -> int:
    """Schedule the answers a previous run of this process left undone; how many."""
    if hours <= 0 or not channels:
        return 0
    ids = await store.unhandled(since=utcnow() - timedelta(hours=hours), channels=list(channels))
    for message_id in ids:
        stored = await store.load(message_id, history_limit=0)
        if stored is None or "incoming" not in stored.meta:
            continue
        incoming = incoming_from_json(
            stored.meta["incoming"],
            channel=stored.recorded.channel,
            text=stored.text,
            external_id=stored.external_id,
        )
        jobs.submit(answer_lock(incoming), _job(jobs, message_id), name="sweep")
    if ids:
        log.warning("answering %d message(s) stored but not answered before a restart", len(ids))
    return len(ids)


def _job(jobs: Jobs, message_id: int) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await jobs.run(message_id)

    return run
