"""``/metrics``, ``/livez`` and ``/readyz``, and the middleware counting refused webhooks.

``/metrics`` asks for ``Authorization: Bearer $METRICS_TOKEN`` when that is set
(a scraper's ``authorization`` setting); unset, it is open, and the app logs a
warning once: bind the port privately or set the token.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.http.common import ErrorOut, RuntimeDep
from bot.observability import metrics
from bot.observability.readiness import Readiness

log = logging.getLogger(__name__)


def router() -> APIRouter:
    """The operator's probes and the scrape endpoint."""
    routes = APIRouter(tags=["operations"])
    readiness = Readiness()

    @routes.get("/livez")
    async def livez() -> dict[str, str]:
        """The process answers (no dependency is checked: a restart would not help them)."""
        return {"status": "ok"}

    @routes.get("/readyz", responses={503: {"description": "Not ready: see the checks."}})
    async def readyz(rt: RuntimeDep) -> JSONResponse:
        """Database reachable, migrations current, model ready, job queue within bounds."""
        ready, checks = await readiness.check(rt)
        body = {"status": "ready" if ready else "unavailable", **checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @routes.get(
        "/metrics",
        # Prometheus's text format, not JSON: the schema says so (and Schemathesis checks it).
        response_class=PlainTextResponse,
        responses={401: {"model": ErrorOut, "description": "METRICS_TOKEN is set."}},
    )
    async def scrape(request: Request, rt: RuntimeDep) -> Response:
        """Prometheus text format, every web process's counters merged."""
        token = rt.settings.metrics_token
        given = request.headers.get("authorization", "")
        if token and not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return JSONResponse({"error": "missing or wrong metrics token"}, status_code=401)
        try:
            metrics.queue(await rt.inbox.jobs.figures())
        except Exception:  # the counters are still worth a scrape
            log.warning("queue figures unavailable for /metrics", exc_info=True)
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    return routes


class WebhookRefusals:
    """Counts 401/403 answers on a channel's webhook paths (its verification refused them).

    The channels stay free of this package: ``paths`` (path → channel) is filled
    as the app mounts each adapter's routes, and the status code says what the
    check decided.
    """

    def __init__(self, app: ASGIApp, *, paths: dict[str, str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        channel = self.paths.get(scope.get("path", "")) if scope["type"] == "http" else None
        if channel is None:
            await self.app(scope, receive, send)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (401, 403):
                metrics.verification_refused(channel)
            await send(message)

        await self.app(scope, receive, counting)
