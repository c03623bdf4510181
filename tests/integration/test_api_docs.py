"""/docs works offline: every asset the page loads is served by the app itself."""

from __future__ import annotations

import re

from bot.runtime import Runtime
from bot.testing.served import http_client


async def test_docs_load_everything_from_this_server(runtime: Runtime):
    async with http_client(runtime) as http:
        page = await http.get("/docs")
        assets = re.findall(r"""(?:src|href)=["']?([^"' >]+)""", page.text)
        fetched = {url: await http.get(url) for url in assets if url.startswith("/")}
        missing = await http.get("/docs/assets/index.html")
        schema = (await http.get("/openapi.json")).json()

    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert "cdn" not in page.text.lower() and "//" not in " ".join(assets)
    assert len(fetched) == 3 and all(r.status_code == 200 for r in fetched.values())
    assert int(fetched["/docs/assets/swagger-ui-bundle.js"].headers["content-length"]) > 100_000
    assert missing.status_code == 404 and missing.json()["error"]
    assert "/docs" not in schema["paths"] and "/redoc" not in schema["paths"]
    # API_TOKEN is unset here, so only the admin routes' bearer scheme is declared.
    admin = schema["components"]["securitySchemes"]["AdminToken"]
    assert (admin["type"], admin["scheme"]) == ("http", "bearer")
    assert "ErrorOut" in schema["components"]["schemas"]
