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

import pytest

from agents.providers.function import FunctionProvider
from memory.db import Database
from tests.support.compare_models import model_id
from tests.support.enrich_bot import enrich_settings
from tests.support.fake_tavily import FakeTavily, page, running_fake_tavily
from tests.support.served import http_client, running_runtime

pytestmark = pytest.mark.schemathesis

API_TOKEN = "api-token-of-the-conformance-run"
ADMIN_TOKEN = "admin-token-of-the-conformance-run"
#: Examples per operation and phase: enough to find every failure the issue lists, in ~1 min.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
#: The tokens' places, and what the schema cannot say (see the file's comments).
CONFIG = Path(__file__).parents[1] / "support" / "schemathesis.toml"
#: The `st` console script of the interpreter running the tests.
ST = Path(sys.executable).with_name("st")


@pytest.fixture
async def tavily() -> AsyncIterator[FakeTavily]:
    async with running_fake_tavily(results=[page("https://acme.example/news", "Hiring.")]) as fake:
        yield fake


async def test_schemathesis_finds_no_failure(
    database: Database, model: FunctionProvider, tavily: FakeTavily, tmp_path: Path
):
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
            "13",
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
