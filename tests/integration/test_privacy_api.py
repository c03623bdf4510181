"""``/api/v1/contacts/{id}`` over HTTP: 401 without ADMIN_API_TOKEN; export and delete with it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import Settings
from bot.testing.served import http_client
from channels.testing import RecordingChannel
from memory.db import Database
from memory.models import Contact, Message
from tests.support.privacy_data import JANE_EMAIL, Seeded, seed_jane
from tests.support.rows import count_rows

ADMIN = "admin-token-0123456789"
API = "api-token-0123456789"


async def started(settings: Settings, database: Database, model, channels, **update) -> Runtime:
    settings = settings.model_copy(update=update)
    return await Runtime.start(settings, provider=model, channels=channels, db=database)


@pytest.fixture
async def guarded(
    settings: Settings,
    database: Database,
    model: FunctionProvider,
    channels: dict[str, RecordingChannel],
) -> AsyncIterator[Runtime]:
    rt = await started(settings, database, model, channels, admin_api_token=ADMIN, api_token=API)
    try:
        yield rt
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)


@pytest.fixture
async def client(guarded: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(guarded) as http:
        yield http


@pytest.fixture
async def seeded(guarded: Runtime) -> Seeded:
    return await seed_jane(guarded)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_without_or_with_a_wrong_token_401(client: httpx.AsyncClient, seeded: Seeded):
    path = f"/api/v1/contacts/{seeded.jane_id}"
    refused = [
        await client.get(path),
        await client.get(path, headers=bearer("wrong-token-0123456789")),
        await client.get(path, headers=bearer(API)),  # the API token is not the admin token
        await client.delete(path),
        await client.delete(path, headers={"Authorization": ADMIN}),  # no scheme
        # Not ASCII (sent as UTF-8 bytes): compared as bytes, a 401, not a TypeError's 500.
        await client.get(path, headers={"Authorization": f"Bearer {ADMIN}é".encode()}),
        await client.delete(path, headers={"Authorization": "Bearer ключ".encode()}),
    ]

    assert [r.status_code for r in refused] == [401] * 7
    assert refused[0].json()["error"] == "missing or wrong admin token"
    assert refused[0].headers["www-authenticate"] == "Bearer"


async def test_export_then_delete_with_the_token(
    client: httpx.AsyncClient, guarded: Runtime, seeded: Seeded
):
    exported = await client.get(f"/api/v1/contacts/{seeded.jane_id}", headers=bearer(ADMIN))
    deleted = await client.delete(f"/api/v1/contacts/{seeded.merged_id}", headers=bearer(ADMIN))
    again = await client.get(f"/api/v1/contacts/{seeded.jane_id}", headers=bearer(ADMIN))

    assert exported.status_code == 200, exported.text
    body = exported.json()
    assert body["contact_id"] == seeded.jane_id
    assert JANE_EMAIL in {i["external_id"] for i in body["identities"]}
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["contact_id"] == seeded.jane_id
    assert deleted.json()["deleted"]["messages"] == 6
    assert again.status_code == 404
    assert await count_rows(guarded.db, Contact) == 1  # Bob
    assert await count_rows(guarded.db, Message) == 2


async def test_unset_admin_token_refuses_everyone_and_says_why(settings, database, model, channels):
    runtime = await started(settings, database, model, channels)
    try:
        async with http_client(runtime) as http:
            response = await http.get("/api/v1/contacts/1", headers=bearer("anything-at-all-123"))
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)

    assert response.status_code == 401
    assert "ADMIN_API_TOKEN is not set" in response.json()["error"]
