"""What `/readyz` checks: database, migrations, model, job queue.

A load balancer probes every few seconds; nothing here calls a model. The
provider's own ``ready()`` is cheap already (a key is set, a file is loaded);
its answer is cached for READYZ_MODEL_CACHE_S all the same, so a provider that
ever checks over the network is not asked once per probe.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from memory.db import head_revision

if TYPE_CHECKING:
    from bot.runtime import Runtime

_VERSION = text("SELECT version_num FROM alembic_version")


class Readiness:
    """Runs the checks; one per web process (the model's answer cached)."""

    def __init__(self) -> None:
        self._model: tuple[float, bool] | None = None
        self._head = head_revision()

    async def check(self, rt: Runtime) -> tuple[bool, dict[str, Any]]:
        """(ready, each check with its ``ok``)."""
        settings = rt.settings
        checks: dict[str, Any] = {}
        try:
            async with rt.db.sessions() as session:
                version = await session.scalar(_VERSION)
            checks["database"] = {"ok": True}
            checks["migrations"] = {"ok": version == self._head, "at": version, "head": self._head}
        except Exception as exc:  # unreachable, or never migrated
            checks["database"] = {"ok": False, "error": type(exc).__name__}
            checks["migrations"] = {"ok": False, "head": self._head}
        checks["model"] = {
            "ok": await self._model_ready(rt, settings.readyz_model_cache_s),
            "model": rt.provider.model_id,
        }
        checks["queue"] = await self._queue(rt)
        return all(c["ok"] for c in checks.values()), checks

    async def _model_ready(self, rt: Runtime, cache_s: float) -> bool:
        now = time.monotonic()
        if self._model is None or now - self._model[0] > cache_s:
            self._model = (now, await rt.provider.ready())
        return self._model[1]

    async def _queue(self, rt: Runtime) -> dict[str, Any]:
        if not rt.inbox.jobs.durable:
            return {"ok": True, "engine": "in-process"}
        try:
            figures = await rt.inbox.jobs.figures()
        except Exception as exc:
            return {"ok": False, "error": type(exc).__name__}
        oldest = figures.get("oldest_waiting_s") or 0
        ok = (
            figures.get("waiting", 0) <= rt.settings.readyz_queue_max
            and oldest <= rt.settings.readyz_queue_age_s
        )
        return {"ok": ok, **figures}
