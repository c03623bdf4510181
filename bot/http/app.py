"""The FastAPI app of `bot serve`: health, the HTTP API, each feature's routes, the webhooks.

The message API is `bot.http.messages`; each feature package adds its router
(`bot.features`), served behind ``API_TOKEN`` like the rest of ``/api/v1``.

Each channel that is on mounts its own routes (``/slack/events``,
``/telegram/webhook``, ``/sms/inbound``, ``/sms/status``) at start-up. Every error answers
with one shape, ``{"error": "...", "details": [...]}``, and a refused request
writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.admin import mount_console
from bot.admin.errors import http_error_page, validation_error_page
from bot.features import feature_routers
from bot.http.common import (
    RuntimeDep,
    require_api_token,
)
from bot.http.contacts import router as contacts_router
from bot.http.docs import router as docs_router
from bot.http.feedback import router as feedback_router
from bot.http.messages import router as messages_router
from bot.http.schema import truthful_openapi
from bot.observability.routes import WebhookRefusals
from bot.observability.routes import router as ops_router
from bot.retention import RetentionLoop
from bot.runtime import Runtime
from bot.settings import Settings, get_settings
from memory.errors import StoreUnavailableError

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The app. With ``runtime`` given the caller owns it; otherwise it is built at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            _mount_channels(app, runtime, webhook_paths)
            yield
            return
        rt = app.state.runtime = await Runtime.start(settings or get_settings())
        if not rt.settings.metrics_token:
            log.warning("METRICS_TOKEN is not set: /metrics is open to whoever reaches this port")
        if not rt.settings.api_token:
            log.warning(
                "API_TOKEN is not set: anyone who can reach /api/v1 can use it "
                "(and /compare and /enrich spend money)"
            )
        # Due lead follow-ups, every FOLLOWUP_INTERVAL_S: on SQLite in this process; on
        # PostgreSQL a periodic job of the job engine (bot.pipeline.engine), run by a worker.
        followups = None
        if rt.followups is not None and not rt.inbox.jobs.durable:
            followups = rt.followups.start_periodic(rt.settings.followup_interval_s)
        # RETENTION_DAYS: the same split (bot.retention).
        retention = None
        if rt.settings.retention_days > 0 and not rt.inbox.jobs.durable:
            retention = RetentionLoop(db=rt.db, days=rt.settings.retention_days)
        try:
            _mount_channels(app, rt, webhook_paths)
            await rt.start_channels()
            yield
        finally:
            if followups is not None:
                await followups.stop()
            if retention is not None:
                await retention.stop()
            await rt.aclose()

    # /docs from local assets (bot/http/docs.py); ReDoc needs a CDN, so it is off.
    app = FastAPI(
        title="Front desk bot", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    webhook_paths: dict[str, str] = {}  # filled as channels mount: refusals counted per channel
    app.add_middleware(WebhookRefusals, paths=webhook_paths)
    # The API's JSON error shape; pages of the console (/admin) get an HTML page instead.
    app.add_exception_handler(RequestValidationError, validation_error_page)
    app.add_exception_handler(StarletteHTTPException, http_error_page)
    app.openapi = truthful_openapi(app)  # type: ignore[method-assign]
    token = [Depends(require_api_token)]
    for router in feature_routers():  # /api/v1/compare, /api/v1/enrich, ...
        app.include_router(router, dependencies=token)
    app.include_router(messages_router, dependencies=token)
    app.include_router(feedback_router, dependencies=token)
    app.include_router(contacts_router)  # its own token: ADMIN_API_TOKEN
    app.include_router(ops_router())  # /livez, /readyz, /metrics (its own token: METRICS_TOKEN)
    app.include_router(docs_router)
    mount_console(app)  # /admin, the team console (its own login: ADMIN_API_TOKEN)

    @app.get("/healthz", responses={503: {"description": "The database or model is down."}})
    async def healthz(rt: RuntimeDep) -> JSONResponse:
        """Whether the database answers and the default model can run."""
        checks: dict[str, Any] = {}
        try:
            await rt.db.ping()
            checks["database"] = {"ok": True, "dialect": rt.db.dialect}
        except StoreUnavailableError as exc:
            checks["database"] = {"ok": False, "error": str(exc)}
        ready = await rt.provider.ready()
        checks["provider"] = {"ok": ready, "model": rt.provider.model_id}
        healthy = all(check["ok"] for check in checks.values())
        try:  # waiting jobs, the oldest one's age, workers seen: informative, not a check
            queue: dict[str, Any] = await rt.inbox.jobs.figures()
        except Exception as exc:
            queue = {"error": str(exc)}
        return JSONResponse(
            {
                "status": "ok" if healthy else "unavailable",
                **checks,
                "queue": queue,
                "channels": _channels(rt),
            },
            status_code=200 if healthy else 503,
        )

    return app


def _mount_channels(app: FastAPI, rt: Runtime, webhook_paths: dict[str, str]) -> None:
    """Serve the webhooks of the channels that are on (routes may be added at start-up)."""
    for name, adapter in rt.channels.adapters.items():
        routes = adapter.router()
        webhook_paths.update({route.path: name for route in routes.routes})  # type: ignore[attr-defined]
        app.include_router(routes)


def _channels(rt: Runtime) -> dict[str, Any]:
    """Which channels are on (and how), and why the others are off."""
    shown: dict[str, Any] = {
        name: {"on": True, **adapter.describe()} for name, adapter in rt.channels.adapters.items()
    }
    shown.update({name: {"on": False, "reason": why} for name, why in rt.channels.off.items()})
    return dict(sorted(shown.items()))
