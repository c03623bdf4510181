"""``/docs``: Swagger UI served from this package's own copy, so it works offline.

FastAPI's default page loads Swagger UI from a CDN: on a laptop without
network, or a host that may not reach the internet, ``/docs`` was blank. The
assets come from the ``swagger-ui-bundle`` package; ReDoc (CDN only) is off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

ASSETS = Path(swagger_ui_path)
#: The files the page loads; nothing else in the folder is served.
SERVED = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs() -> HTMLResponse:
    """The API's interactive documentation, from local assets."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Front desk bot · API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
    )


@router.get("/docs/assets/{name}")
async def asset(name: str) -> FileResponse:
    """One of `SERVED`, from the installed Swagger UI."""
    if name not in SERVED:
        raise HTTPException(404, "Not Found")
    return FileResponse(ASSETS / name)
