"""The /compare HTTP API over real HTTP on loopback: POST, GET, the SSE stream, refusals."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.testing.served import http_client
from memory.models import CompareQuery, ModelCall
from tests.support.compare_models import model_id
from tests.support.rows import count_rows

#: Answer 2 arrives first, then 3; 1 never does (past the 0.5 s deadline).
MODELS = [model_id(name) for name in ("stalled", "quick", "steady")]
#: Every model answers: only such a compare is served from the cache.
ANSWERING = [model_id(name) for name in ("slow", "quick", "steady")]


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The settings of the compare API tests; a test may name its models (indirect)."""
    return load_settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        compare_models=",".join(getattr(request, "param", MODELS)),
        compare_timeout_s=0.5,
        compare_deadline_s=2.0,
        compare_rate_limit=3,
    )


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(runtime) as http:
        yield http


async def rows(runtime: Runtime, model: type) -> int:
    return await count_rows(runtime.db, model)


def events(body: str) -> list[tuple[str, dict]]:
    """The (event, data) pairs of a text/event-stream body."""
    parsed = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        parsed.append((fields["event"], json.loads(fields["data"])))
    return parsed


async def test_post_returns_every_answer_ranked_and_get_reads_it_back(
    client: httpx.AsyncClient, runtime: Runtime
):
    started = time.perf_counter()
    response = await client.post("/api/v1/compare", json={"question": "What is 2+2?"})
    took = time.perf_counter() - started

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["question"] == "What is 2+2?"
    assert (result["asker"], result["channel"], result["cached"]) == ("api:anonymous", "api", False)
    assert result["models"] == MODELS
    stalled, quick, steady = result["answers"]
    assert (stalled["status"], stalled["text"], stalled["rank"]) == ("timeout", "", None)
    assert stalled["error"] == "no answer within 0.5 s"
    assert quick["status"] == steady["status"] == "ok"
    assert quick["text"] == "Quick answer: What is 2+2? Yes, it is 4."
    for answer in (quick, steady):
        assert answer["latency_ms"] > 0
        assert answer["input_tokens"] > 0 and answer["output_tokens"] > 0
        assert answer["cost_usd"] > 0
        assert 0 <= answer["score"] <= 1 and answer["score_details"]
    assert sorted([quick["rank"], steady["rank"]]) == [1, 2]
    assert result["ranking"]["method"] == "heuristic"
    assert sorted(result["ranking"]["order"]) == [2, 3]
    assert result["judge"] is None
    assert 0.5 <= took < 1.5  # the deadline, not the stalled model's 10 s

    again = await client.get(f"/api/v1/compare/{result['id']}")

    assert again.status_code == 200
    assert again.json() == result
    assert await rows(runtime, ModelCall) == 3


async def test_an_unknown_id_is_404(client: httpx.AsyncClient):
    response = await client.get("/api/v1/compare/12345")

    assert response.status_code == 404
    assert response.json() == {"error": "no compare 12345", "details": []}


@pytest.mark.parametrize("settings", [ANSWERING], indirect=True)
async def test_a_repeat_is_cached_unless_fresh(client: httpx.AsyncClient, runtime: Runtime):
    first = (await client.post("/api/v1/compare", json={"question": "Hello?"})).json()
    cached = (await client.post("/api/v1/compare", json={"question": "  HELLO? "})).json()
    fresh = await client.post("/api/v1/compare", json={"question": "hello?", "fresh": True})

    assert (cached["cached"], cached["cached_from_id"]) == (True, first["id"])
    assert cached["id"] != first["id"]
    assert cached["answers"] == first["answers"]
    assert fresh.json()["cached"] is False
    assert await rows(runtime, ModelCall) == 6  # the cached one asked no model


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("   ", "invalid request: question: must not be empty or only spaces"),
        ("x" * 1001, "invalid request: question: String should have at most 1000 characters"),
        ("why\u0000?", "invalid request: question: must not be empty or only spaces, and must"),
    ],
)
async def test_an_empty_or_too_long_question_is_422(
    client: httpx.AsyncClient, runtime: Runtime, question: str, message: str
):
    response = await client.post("/api/v1/compare", json={"question": question})

    assert response.status_code == 422
    assert response.json()["error"].startswith(message)
    assert await rows(runtime, CompareQuery) == 0


async def test_over_the_rate_limit_is_429_with_retry_after(
    client: httpx.AsyncClient, runtime: Runtime
):
    for n in range(3):
        await client.post("/api/v1/compare", json={"question": f"q{n}", "asker": "api:bob"})

    refused = await client.post("/api/v1/compare", json={"question": "q4", "asker": "api:bob"})
    streamed = await client.post(
        "/api/v1/compare/stream", json={"question": "q5", "asker": "api:bob"}
    )

    assert refused.status_code == 429
    assert 50 <= int(refused.headers["retry-after"]) <= 60
    assert "Try again in" in refused.json()["error"]
    assert streamed.status_code == 429
    assert await rows(runtime, CompareQuery) == 3


async def test_another_asker_from_the_same_address_is_held_to_the_limit_too(
    client: httpx.AsyncClient, runtime: Runtime
):
    """`asker` is the client's to choose: varying it must not buy more compares."""
    answered = [
        await client.post("/api/v1/compare", json={"question": f"q{n}", "asker": f"api:n{n}"})
        for n in range(3)
    ]

    fresh_asker = await client.post("/api/v1/compare", json={"question": "q", "asker": "api:new"})
    fresh_stream = await client.post(
        "/api/v1/compare/stream", json={"question": "q", "asker": "api:newer"}
    )
    # Another requester (a Slack user, with no HTTP address) keeps their own allowance.
    slack = await runtime.compare.admit("q", asker="slack:U1", channel="slack")

    assert [r.status_code for r in answered] == [200, 200, 200]
    assert fresh_asker.status_code == fresh_stream.status_code == 429
    assert 50 <= int(fresh_asker.headers["retry-after"]) <= 60
    assert slack.query_id > 0
    assert await rows(runtime, CompareQuery) == 4


async def test_the_stream_sends_each_answer_as_it_arrives_then_the_result(
    client: httpx.AsyncClient,
):
    # Each event with the number of the network read that brought it: events held
    # until the deadline would arrive in the same read as the timed-out answer.
    seen: list[tuple[str, dict, int]] = []
    async with client.stream(
        "POST", "/api/v1/compare/stream", json={"question": "What is 2+2?"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        buffer = ""
        async for read, chunk in aenumerate(response.aiter_text()):
            buffer += chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                ((event, data),) = events(block)
                seen.append((event, data, read))

    assert [(event, data.get("position")) for event, data, _ in seen] == [
        ("answer", 2),
        ("answer", 3),
        ("answer", 1),
        ("result", None),
    ]
    quick_read, steady_read, timeout_read = seen[0][2], seen[1][2], seen[2][2]
    assert quick_read < timeout_read and steady_read < timeout_read  # streamed, not held
    assert seen[2][1]["status"] == "timeout"
    result = seen[3][1]
    assert [a["position"] for a in result["answers"]] == [1, 2, 3]
    assert result["answers"][1]["text"] == seen[0][1]["text"]
    stored = await client.get(f"/api/v1/compare/{result['id']}")
    assert stored.json() == result


async def test_stats_show_win_rates_from_votes(client: httpx.AsyncClient, runtime: Runtime):
    result = (await client.post("/api/v1/compare", json={"question": "Hi?"})).json()
    await runtime.compare.vote(result["id"], 3, voter="slack:U1", kind="best")

    stats = (await client.get("/api/v1/compare/stats")).json()["models"]

    steady = next(s for s in stats if s["model"] == model_id("steady"))
    assert steady == {
        "model": model_id("steady"),
        "compares": 1,
        "contests": 1,
        "wins": 1,
        "up": 0,
        "down": 0,
        "win_rate": 1.0,
    }


async def aenumerate(items: AsyncIterator[str]) -> AsyncIterator[tuple[int, str]]:
    """``enumerate`` for an async iterator."""
    index = 0
    async for item in items:
        yield index, item
        index += 1
