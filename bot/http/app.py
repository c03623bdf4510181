"""The FastAPI app of `bot serve`: health, the HTTP message API and the channel webhooks.

Each channel that is on mounts its own routes (``/slack/events``,
``/telegram/webhook``, ``/sms/inbound``, ``/sms/status``) at start-up. Every error answers
with one shape, ``{"error": "...", "details": [...]}``, and a refused request
writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.admin import mount_console
from bot.admin.errors import http_error_page, validation_error_page
from bot.errors import InvalidMessageError
from bot.features import feature_routers
from bot.http.common import (
    RuntimeDep,
    error_response,
    require_api_token,
    responses,
)
from bot.http.contacts import router as admin_router
from bot.http.docs import router as docs_router
from bot.http.feedback import router as feedback_router
from bot.http.fields import NOT_BLANK, SENDER, ClientKey, Name, StoredText
from bot.http.schema import truthful_openapi
from bot.http.stored import stored_reply
from bot.observability.routes import WebhookRefusals
from bot.observability.routes import router as ops_router
from bot.pipeline.intake import store_and_schedule
from bot.retention import RetentionLoop
from bot.runtime import Runtime
from bot.settings import Settings, get_settings
from channels.base import Address, IncomingMessage
from channels.text import parse_command
from memory.errors import StoreUnavailableError

log = logging.getLogger(__name__)


class MessageIn(BaseModel):
    """A message posted to ``POST /api/v1/messages``."""

    # JSON's own types (0 is not false), and Python's regular expressions: the engine
    # that test generators read the published patterns with.
    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    text: StoredText = Field(
        pattern=NOT_BLANK,
        description="What the person said: not only spaces, at most MAX_MESSAGE_CHARS.",
    )
    sender: StoredText = Field(
        max_length=300,
        pattern=SENDER,
        description=(
            "Who said it: phone:+15551234567, email:a@b.co or api:<your id>. "
            "A phone or e-mail that is not a real one is a 422."
        ),
    )
    channel: Literal["api"] = Field(
        "api",
        description="Always api: the other channels receive messages through their webhooks.",
    )
    message_id: ClientKey | None = Field(
        None, description="Your id for this message; sending it again returns no second reply."
    )
    conversation: ClientKey | None = None
    sender_name: Name | None = None


class MessageOut(BaseModel):
    """The bot's reply and what it took."""

    duplicate: bool = False
    #: The conversation is handed to a person: the bot does not answer it.
    held_by_team: bool = False
    reply: str | None
    agent: str | None = None
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: float | None = None
    outcome: str | None = None
    route_reason: str | None = None
    route_confidence: float | None = None
    contact_id: int | None = None
    conversation_id: int | None = None
    message_id: int | None = None
    reply_id: int | None = None


#: A reply is rated by its own id (``reply_id``), not the id of the message it answers.
REPLY_LINKS = {
    "RateReply": {
        "operationId": "rate_reply",
        "parameters": {"message_id": "$response.body#/reply_id"},
        "description": "Rate the bot's reply.",
    }
}


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
    app.include_router(feedback_router, dependencies=token)
    app.include_router(admin_router)  # its own token: ADMIN_API_TOKEN
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

    @app.post(
        "/api/v1/messages",
        response_model=MessageOut,
        dependencies=token,
        responses={200: {"links": REPLY_LINKS}, **responses(400, 401, 422, 504)},
        tags=["messages"],
    )
    async def post_message(body: MessageIn, rt: RuntimeDep) -> Any:
        """Hand a message to the bot and wait for its reply."""
        orchestrator = rt.orchestrator
        try:
            sender = Address.parse(body.sender)
        except ValueError as exc:
            return error_response(422, f"sender: {exc}")
        # A command reads the same here as on every channel: `/help` gets the list.
        command, arguments = parse_command(body.text) or (None, "")
        incoming = IncomingMessage(
            channel=body.channel,
            sender=sender,
            conversation_key=body.conversation or _conversation_key(body.channel, sender),
            text=body.text,
            external_id=body.message_id,
            sender_name=body.sender_name,
            command=command,
            arguments=arguments,
        )
        jobs = rt.inbox.jobs
        try:
            # Stored and scheduled as any channel's message: its answer waits its turn in
            # the conversation, wherever a worker runs it; this request waits for it.
            recorded = await store_and_schedule(
                incoming, orchestrator=orchestrator, jobs=jobs, contacts=rt.contacts
            )
        except InvalidMessageError as exc:
            return error_response(422, str(exc))
        if recorded is None:
            earlier = await rt.conversations.reply_to(body.channel, body.message_id or "")
            return MessageOut(duplicate=True, reply=earlier)
        finished, reply = await jobs.wait(recorded.message_id, rt.settings.answer_wait_s)
        if not finished:
            return error_response(504, "no answer yet: it is stored and will be answered")
        if reply is None:
            reply = await stored_reply(rt, incoming, recorded.message_id)
        if reply is None:  # handed off: the team has the message in its thread
            return MessageOut(
                held_by_team=True,
                reply=None,
                contact_id=recorded.contact_id,
                conversation_id=recorded.conversation_id,
                message_id=recorded.message_id,
            )
        completion = reply.completion
        return MessageOut(
            reply=reply.text,
            agent=reply.agent,
            model=completion.model_id,
            input_tokens=completion.input_tokens,
            output_tokens=completion.output_tokens,
            cost_usd=completion.cost_usd,
            latency_ms=round(completion.latency_ms, 2),
            outcome=reply.outcome,
            route_reason=reply.route.reason,
            route_confidence=reply.route.confidence,
            contact_id=reply.contact_id,
            conversation_id=reply.conversation_id,
            message_id=reply.incoming_message_id,
            reply_id=reply.reply_message_id,
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


def _conversation_key(channel: str, sender: Address) -> str:
    """The sender's own conversation: ``channel:kind:value``, hashed when too long to store."""
    key = f"{channel}:{sender}"
    if len(key) <= 255:  # conversations.key is 255 characters
        return key
    return f"{channel}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
