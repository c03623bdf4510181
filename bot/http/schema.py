"""The OpenAPI schema as this process serves: what FastAPI derives, plus what settings decide.

Two rules depend on settings, not code: the longest message text
(``MAX_MESSAGE_CHARS``) and whether ``API_TOKEN`` guards ``/api/v1`` (without
it those routes take no token, so the schema must not ask for one). The
schema is built on first request, once the runtime and its settings exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

#: The security scheme `require_api_token` declares (`bot.http.common.api_bearer`).
API_SCHEME = "ApiToken"


def truthful_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi``: FastAPI's schema with the settings' limits and tokens applied."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, routes=app.routes, description=app.description
        )
        runtime = getattr(app.state, "runtime", None)
        if runtime is None:  # not started: the settings are unknown, so nothing is cached
            return schema
        settings = runtime.settings
        message = schema.get("components", {}).get("schemas", {}).get("MessageIn")
        if message is not None:
            message["properties"]["text"]["maxLength"] = settings.max_message_chars
        if not settings.api_token:
            _drop_scheme(schema, API_SCHEME)
        app.openapi_schema = schema
        return schema

    return openapi


def _drop_scheme(schema: dict[str, Any], name: str) -> None:
    """Remove ``name`` from every operation's security (and 401s that only it caused)."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            security = operation.get("security")
            if not security:
                continue
            kept = [entry for entry in security if name not in entry]
            if kept:
                operation["security"] = kept
                continue
            del operation["security"]
            operation.get("responses", {}).pop("401", None)
    schemes = schema.get("components", {}).get("securitySchemes", {})
    schemes.pop(name, None)
