"""The HTTP API against its own OpenAPI schema: a bounded Schemathesis run, every check on.

`st run --checks all` (Schemathesis 4, the tool the issue's tester used) drives
the app over real HTTP on loopback, with ``API_TOKEN`` and ``ADMIN_API_TOKEN``
set, the function test models for replies, /compare and /enrich, and the fake
Tavily for research. It generates valid and invalid requests from the schema
and fails on any 500, any status or body the schema does not declare, any
valid request refused, any invalid one accepted, and any 405 without the right
``Allow``. It runs on SQLite and PostgreSQL (which rejects NUL characters).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from agents.providers.function import FunctionProvider
from agents.research.testing import FakeTavily, page, running_fake_tavily
from bot.testing.served import http_client, running_runtime
from memory.db import Database
from tests.support.compare_models import model_id
from tests.support.enrich_bot import enrich_settings

API_TOKEN = "api-token-of-the-conformance-run"
ADMIN_TOKEN = "admin-token-of-the-conformance-run"
#: Examples per operation and phase (and the seed, SCHEMATHESIS_SEED): enough to find every
#: failure the issue lists, in under a minute a database.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
#: The tokens' places, and what the schema cannot say (see the file's comments).
CONFIG = Path(__file__).parents[1] / "support" / "schemathesis.toml"
#: The `st` console script of the interpreter running the tests.
ST = Path(sys.executable).with_name("st")


@pytest.fixture
async def tavily() -> AsyncIterator[FakeTavily]:
    async with running_fake_tavily(results=[page("https://acme.example/news", "Hiring.")]) as fake:
        yield fake


@pytest.fixture
async def served(
    database: Database, model: FunctionProvider, tavily: FakeTavily
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with both tokens set, and a client that sends the API token."""
    settings = enrich_settings(database, tavily, api_token=API_TOKEN, admin_api_token=ADMIN_TOKEN)
    async with running_runtime(database, model, **settings) as rt, http_client(rt) as http:
        http.headers["Authorization"] = f"Bearer {API_TOKEN}"
        yield http


BEYOND_64_BITS = str(2**64)
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/api/v1/compare/{id}", {}),
        ("GET", "/api/v1/contacts/{id}", ADMIN),
        ("DELETE", "/api/v1/contacts/{id}", ADMIN),
        ("POST", "/api/v1/contacts/{id}/enrich", {}),
        ("POST", "/api/v1/messages/{id}/feedback", {}),
    ],
)
async def test_ids_beyond_64_bits_or_below_1_are_422_and_negative_ones_404(
    served: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
):
    body = {"rating": "up"} if path.endswith("feedback") else None
    answers = {
        id_: await served.request(method, path.format(id=id_), json=body, headers=headers)
        for id_ in (BEYOND_64_BITS, str(2**63), "0", "-1")
    }

    assert {id_: r.status_code for id_, r in answers.items()} == {
        BEYOND_64_BITS: 422,
        str(2**63): 422,
        "0": 422,
        "-1": 404,  # not an id at all: no route
    }
    assert "less than or equal to 9223372036854775807" in answers[BEYOND_64_BITS].json()["error"]
    assert answers["-1"].json() == {"error": "Not Found", "details": []}


async def test_a_method_a_path_lacks_is_405_with_every_method_it_has(served: httpx.AsyncClient):
    contacts = await served.put("/api/v1/contacts/1", headers=ADMIN)
    stream = await served.get("/api/v1/compare/stream")
    messages = await served.get("/api/v1/messages")

    assert contacts.status_code == stream.status_code == messages.status_code == 405
    assert contacts.headers["allow"] == "DELETE, GET"  # Starlette alone said only GET
    assert stream.headers["allow"] == "POST"  # was a 422: "stream" read as a compare id
    assert messages.headers["allow"] == "POST"
    assert contacts.json() == {"error": "Method Not Allowed", "details": []}


async def test_the_schema_declares_the_tokens_and_the_error_body(served: httpx.AsyncClient):
    schema = (await served.get("/openapi.json")).json()

    assert set(schema["components"]["securitySchemes"]) == {"ApiToken", "AdminToken"}
    messages = schema["paths"]["/api/v1/messages"]["post"]
    assert messages["security"] == [{"ApiToken": []}]
    assert sorted(messages["responses"]) == ["200", "400", "401", "422", "504"]
    error = messages["responses"]["401"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorOut"}
    contacts = schema["paths"]["/api/v1/contacts/{contact_id}"]
    assert contacts["delete"]["security"] == [{"AdminToken": []}]
    text = schema["components"]["schemas"]["MessageIn"]["properties"]["text"]
    assert text["maxLength"] == 4000 and text["pattern"]
    assert (
        schema["paths"]["/api/v1/compare/{query_id}"]["get"]["parameters"][0]["schema"]["maximum"]
        == 2**63 - 1
    )


async def test_without_api_token_the_schema_asks_for_none(
    database: Database, model: FunctionProvider
):
    async with running_runtime(database, model) as rt, http_client(rt) as http:
        schema = (await http.get("/openapi.json")).json()

    assert "ApiToken" not in schema["components"]["securitySchemes"]
    assert "security" not in schema["paths"]["/api/v1/messages"]["post"]
    # The contacts API refuses everyone until ADMIN_API_TOKEN is set: it still asks.
    assert schema["paths"]["/api/v1/contacts/{contact_id}"]["get"]["security"]


@pytest.mark.schemathesis
async def test_schemathesis_finds_no_failure(
    database: Database, model: FunctionProvider, tavily: FakeTavily, tmp_path: Path
):
    pytest.importorskip("schemathesis", reason="the dev extra installs Schemathesis")
    settings = enrich_settings(
        database,
        tavily,
        api_token=API_TOKEN,
        admin_api_token=ADMIN_TOKEN,
        compare_models=",".join(model_id(name) for name in ("quick", "steady")),
        # The limit has its own tests: here it would answer the generated requests 429.
        compare_rate_limit=1_000_000,
    )
    async with running_runtime(database, model, **settings) as rt, http_client(rt) as http:
        # The server runs in this event loop: the run is a subprocess we await.
        process = await asyncio.create_subprocess_exec(
            str(ST),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            f"{http.base_url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--workers",
            "1",
            "--seed",
            os.environ.get("SCHEMATHESIS_SEED", "13"),
            "--warnings",
            "off",
            env={**os.environ, "API_TOKEN": API_TOKEN, "ADMIN_API_TOKEN": ADMIN_TOKEN},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
    text = output.decode()
    print(text)  # the run's summary, shown when the test fails
    summary = _summary(text)
    print(json.dumps(summary))
    assert process.returncode == 0, text
    assert summary["failures"] == 0, text
    assert summary["cases"] > 200  # the run did test something


def _summary(output: str) -> dict[str, int]:
    """Cases run and distinct failures found, from the run's summary."""
    line = re.search(r"(\d+) generated, ([^\n]*)", output)
    assert line, output
    found = re.search(r"(\d+) unique failures", line[2])
    return {"cases": int(line[1]), "failures": int(found[1]) if found else 0}
