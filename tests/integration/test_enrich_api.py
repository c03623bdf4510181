"""The /enrich HTTP API over real HTTP: by contact id, by target, and its errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from agents.providers.function import FunctionProvider
from agents.research.testing import FakeTavily, page, running_fake_tavily
from bot.runtime import Runtime
from bot.testing.served import http_client, running_runtime
from memory.db import Database
from tests.support.enrich_bot import NEWS, enrich_settings, lead_model
from tests.support.enrich_replies import LEAD_SCORE


@pytest.fixture
async def tavily() -> AsyncIterator[FakeTavily]:
    async with running_fake_tavily(results=[page(NEWS, "Jane Doe is hiring a caterer.")]) as fake:
        yield fake


@pytest.fixture
async def served(
    database: Database, model: FunctionProvider, tavily: FakeTavily
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with (
        running_runtime(database, model, **enrich_settings(database, tavily)) as rt,
        http_client(rt) as http,
    ):
        yield rt, http


async def test_enrich_a_contact_by_id_then_get_the_stored_result(
    served: tuple[Runtime, httpx.AsyncClient], tavily: FakeTavily
):
    rt, http = served
    record = await rt.enrich.store.locate(addresses=[("email", "jane@acme.com")], name="Jane")

    first = await http.post(f"/api/v1/contacts/{record.id}/enrich")
    again = await http.post(f"/api/v1/contacts/{record.id}/enrich", json={"refresh": False})

    assert first.status_code == again.status_code == 200, first.text
    body = first.json()
    assert body["contact_id"] == record.id
    assert body["lead_score"] == LEAD_SCORE
    assert body["cached"] is False and again.json()["cached"] is True
    assert body["intent_signals"][0]["source_url"] == NEWS
    assert {s["url"] for s in body["sources"]} >= {NEWS}
    assert len(tavily.requests) == 1 and len(lead_model(rt).calls) == 1


async def test_refresh_in_the_body_researches_again(
    served: tuple[Runtime, httpx.AsyncClient], tavily: FakeTavily
):
    rt, http = served
    record = await rt.enrich.store.locate(name="Jane Doe")

    await http.post(f"/api/v1/contacts/{record.id}/enrich")
    refreshed = await http.post(f"/api/v1/contacts/{record.id}/enrich", json={"refresh": True})

    assert refreshed.status_code == 200
    assert refreshed.json()["cached"] is False
    assert len(tavily.requests) == 2


async def test_an_unknown_contact_is_404_and_a_bad_body_422(
    served: tuple[Runtime, httpx.AsyncClient],
):
    _, http = served

    missing = await http.post("/api/v1/contacts/9999/enrich")
    bad = await http.post("/api/v1/contacts/1/enrich", json={"refresh": True, "extra": 1})

    assert missing.status_code == 404
    assert missing.json() == {"error": "no contact has the id 9999", "details": []}
    assert bad.status_code == 422 and "extra" in bad.json()["error"]


async def test_enrich_by_target_finds_or_creates_the_contact(
    served: tuple[Runtime, httpx.AsyncClient],
):
    rt, http = served

    created = await http.post("/api/v1/enrich", json={"target": "+1 555 123 4567"})
    by_id = await http.post("/api/v1/enrich", json={"target": f"#{created.json()['contact_id']}"})

    assert created.status_code == 200, created.text
    record = await rt.enrich.store.locate(addresses=[("phone", "+15551234567")])
    assert created.json()["contact_id"] == record.id
    assert by_id.json()["cached"] is True


async def test_enrich_by_target_errors(served: tuple[Runtime, httpx.AsyncClient]):
    rt, http = served
    await rt.enrich.store.locate(addresses=[("email", "a@acme.com")], name="Sam Lee")
    await rt.enrich.store.locate(addresses=[("email", "b@acme.com")], name="Sam Lee")

    invalid = await http.post("/api/v1/enrich", json={"target": "jane@acme"})
    empty = await http.post("/api/v1/enrich", json={"target": ""})
    shared = await http.post("/api/v1/enrich", json={"target": "sam lee"})
    unknown = await http.post("/api/v1/enrich", json={"target": "#777"})

    assert invalid.status_code == 422
    assert invalid.json()["error"].startswith("Not an e-mail address: 'jane@acme'")
    assert empty.status_code == 422
    assert shared.status_code == 409
    details = shared.json()["details"]
    assert [d.removeprefix("#").split(" ", 1)[1] for d in details] == [
        "Sam Lee (email:a@acme.com)",
        "Sam Lee (email:b@acme.com)",
    ]
    assert unknown.status_code == 404
