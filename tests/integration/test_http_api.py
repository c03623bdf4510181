"""The HTTP app over real HTTP on loopback: /healthz and POST /api/v1/messages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from agents.providers.function import FunctionProvider
from bot.handoff.ops_channel import OpsChannel
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.testing.served import http_client
from channels.testing import RecordingChannel
from memory.db import Database
from memory.handoffs import HandoffStore
from memory.models import Message, ModelCall
from tests.support.rows import count_rows


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(runtime) as http:
        yield http


async def rows(runtime: Runtime, model: type) -> int:
    return await count_rows(runtime.db, model)


async def test_healthz_reports_database_and_provider(client: httpx.AsyncClient):
    response = await client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["provider"] == {"ok": True, "model": "function:polite"}


async def test_message_gets_a_reply_with_usage(client: httpx.AsyncClient, runtime: Runtime):
    response = await client.post(
        "/api/v1/messages",
        json={
            "channel": "api",
            "sender": "phone:+1 (555) 010-2030",
            "text": "Is it BYOB?",
            "message_id": "m-1",
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reply"] == "You said: Is it BYOB?"
    assert body["agent"] == "knowledge"
    assert body["model"] == "function:polite"
    assert body["input_tokens"] > 0 and body["output_tokens"] == 5
    assert body["cost_usd"] > 0
    assert body["duplicate"] is False
    assert await rows(runtime, ModelCall) == 1
    assert await rows(runtime, Message) == 2


async def test_resent_message_id_returns_the_first_reply_once(
    client: httpx.AsyncClient, runtime: Runtime
):
    payload = {
        "sender": "email:jo@example.com",
        "text": "What areas do you serve?",
        "message_id": "m-2",
    }
    first = await client.post("/api/v1/messages", json=payload)
    again = await client.post("/api/v1/messages", json=payload)

    assert first.status_code == again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["reply"] == first.json()["reply"]
    assert await rows(runtime, ModelCall) == 1
    assert await rows(runtime, Message) == 2


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ('{"sender": "api:x", "text": ', 400, "not valid JSON"),
        ('{"text": "hello"}', 422, "sender: Field required"),
        ('{"sender": "api:x"}', 422, "text: Field required"),
        ('{"sender": "api:x", "text": "   "}', 422, "empty"),
        ('{"sender": "api:x", "text": "' + "a" * 4001 + '"}', 422, "at most 4000"),
        ('{"sender": "phone:12", "text": "hi"}', 422, "phone number"),
        ('{"sender": "api:x", "text": "hi", "channel": "BAD CHANNEL"}', 422, "channel"),
        ('{"sender": "api:x", "text": "hi", "surprise": 1}', 422, "surprise"),
        ('["not", "an", "object"]', 422, "invalid request"),
        ('{"sender": "api:x", "text": "hi\\u0000there"}', 422, "text: must not be empty or only"),
        ('{"sender": "api:x", "text": "\\u0000"}', 422, "NUL character"),
        ('{"sender": "api:x\\u0000y", "text": "hi"}', 422, "sender: expected phone:"),
        ('{"sender": "api:x", "text": "hi", "sender_name": "Jo\\u0000"}', 422, "sender_name: must"),
        ('{"sender": "api:x", "text": "hi", "message_id": "m\\u0000"}', 422, "message_id: must"),
        ('{"sender": "api:x", "text": "hi", "conversation": "\\u0000"}', 422, "conversation: must"),
        ('{"sender": "api:x", "text": "hi \\ud800"}', 422, "text:"),
        ('{"sender": "api:x", "text": "hi", "message_id": 7}', 422, "message_id: Input should be"),
    ],
)
async def test_bad_requests_get_a_clear_4xx_and_write_nothing(
    client: httpx.AsyncClient, runtime: Runtime, body: str, status: int, says: str
):
    response = await client.post(
        "/api/v1/messages", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == status
    assert says in response.json()["error"]
    assert await rows(runtime, Message) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "nokind", "text": "hi"},
        {"sender": "Bob", "text": "hi"},
        {"sender": "foo:bar", "text": "hi"},
        {"sender": "slack:U1", "text": "hi"},  # would speak as a team member
        {"sender": "api:x", "text": "hi", "channel": "bogus"},
        {"sender": "api:x", "text": "hi", "channel": "sms"},  # SMS has its own webhook
    ],
)
async def test_unknown_senders_and_channels_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, body: dict[str, str]
):
    response = await client.post("/api/v1/messages", json=body)

    assert response.status_code == 422
    assert any(word in str(response.json()) for word in ("sender", "channel"))
    assert await rows(runtime, Message) == 0


async def test_commands_are_commands_and_an_unknown_one_gets_the_list(
    client: httpx.AsyncClient, runtime: Runtime
):
    helped = await client.post("/api/v1/messages", json={"sender": "api:x", "text": "/help"})
    unknown = await client.post("/api/v1/messages", json={"sender": "api:x", "text": "/foo"})

    assert helped.status_code == unknown.status_code == 200, unknown.text
    assert helped.json()["reply"].startswith("Here is what I can do:")
    assert unknown.json()["reply"].startswith("I don't know /foo. Here is what I can do:")
    assert await rows(runtime, ModelCall) == 0


async def test_healthz_says_which_channels_are_off_and_why(client: httpx.AsyncClient):
    body = (await client.get("/healthz")).json()

    assert body["channels"] == {
        "slack": {"on": False, "reason": "SLACK_BOT_TOKEN is not set"},
        "web": {"on": False, "reason": "WEB_CHAT_SECRET is not set"},
    }  # sms and telegram are the test's recording channels: injected, not built


async def test_with_an_api_token_every_api_route_wants_it(
    settings: Settings, database: Database, model: FunctionProvider
):
    token = "t0ken-of-at-least-16-chars"
    guarded = load_settings(_env_file=None, database_url=settings.database_url, api_token=token)
    rt = await Runtime.start(guarded, provider=model, db=database)
    message = {"text": "hello", "sender": "phone:+15551234567"}
    try:
        async with http_client(rt) as http:
            refused = [
                await http.post("/api/v1/messages", json=message),
                await http.post(
                    "/api/v1/messages", json=message, headers={"Authorization": "Bearer nope"}
                ),
                await http.get("/api/v1/compare/1"),
                await http.post("/api/v1/contacts/1/enrich", json={}),
            ]
            allowed = await http.post(
                "/api/v1/messages", json=message, headers={"Authorization": f"Bearer {token}"}
            )
            health = await http.get("/healthz")
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)

    assert [r.status_code for r in refused] == [401] * 4
    assert refused[0].json() == {"error": "missing or wrong API token", "details": []}
    assert refused[0].headers["www-authenticate"] == "Bearer"
    assert allowed.status_code == 200 and allowed.json()["reply"]
    assert health.status_code == 200  # health checks need no token
    assert await count_rows(database, Message) == 2  # only the allowed message and its reply


async def test_a_message_in_a_handed_off_conversation_is_held_for_the_team(
    client: httpx.AsyncClient, runtime: Runtime
):
    ops_slack = RecordingChannel("slack")
    runtime.orchestrator.ops = OpsChannel(ops_slack, "C-OPS")
    payload = {"sender": "email:lee@example.com", "text": "Is it BYOB?", "message_id": "h-1"}
    first = (await client.post("/api/v1/messages", json=payload)).json()
    await HandoffStore(runtime.db).mark(
        first["conversation_id"], reason="asked for a person", ops_thread="C-OPS:1.0", silence=True
    )

    held = await client.post(
        "/api/v1/messages", json={**payload, "text": "Hello? Anyone?", "message_id": "h-2"}
    )

    assert held.status_code == 200
    body = held.json()
    assert body["held_by_team"] is True and body["duplicate"] is False
    assert body["reply"] is None and body["message_id"] > first["reply_id"]
    assert "Hello? Anyone?" in ops_slack.texts[-1]  # forwarded to the alert's thread


@pytest.mark.parametrize(
    "authorization",
    ["Bearer t0ken-of-at-least-16-chärs", "Bearer \u00ff\u00fe", "Bearer", "Basic abc", ""],
)
async def test_a_non_ascii_or_malformed_bearer_token_is_401_not_500(
    settings: Settings, database: Database, model: FunctionProvider, authorization: str
):
    token = "t0ken-of-at-least-16-chars"
    guarded = load_settings(_env_file=None, database_url=settings.database_url, api_token=token)
    rt = await Runtime.start(guarded, provider=model, db=database)
    message = {"text": "hello", "sender": "phone:+15551234567"}
    try:
        async with http_client(rt) as http:
            # httpx sends a str header as UTF-8 bytes: the server sees non-ASCII bytes.
            refused = await http.post(
                "/api/v1/messages",
                json=message,
                headers={"Authorization": authorization.encode()},
            )
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)

    assert refused.status_code == 401
    assert refused.json() == {"error": "missing or wrong API token", "details": []}
    assert await count_rows(database, Message) == 0


async def test_a_long_sender_gets_a_conversation_key_that_fits(
    client: httpx.AsyncClient, runtime: Runtime
):
    """kind:value of 259 characters; the conversation key (255 at most) must still be stored."""
    sender = "api:" + "x" * 255

    response = await client.post("/api/v1/messages", json={"sender": sender, "text": "hi"})
    again = await client.post("/api/v1/messages", json={"sender": sender, "text": "and again"})

    assert response.status_code == again.status_code == 200, response.text
    assert again.json()["conversation_id"] == response.json()["conversation_id"]
