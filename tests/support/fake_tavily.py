"""A fake Tavily search API on 127.0.0.1, for the official SDK (``AsyncTavilyClient``).

``POST /search`` with ``Authorization: Bearer <key>`` answers like Tavily::

    {"query", "follow_up_questions": null, "answer": null, "images": [],
     "results": [{"title", "url", "content", "score", "raw_content": null}],
     "response_time", "request_id"}

A missing (or, with ``api_key=`` set, wrong) key gets 401 with Tavily's
``{"detail": {"error": ...}}`` body. Each request takes the next queued
`Search` (results, a status such as 429 with ``Retry-After`` or 500, a
delay), or the defaults once the queue is empty. Every request body and its
headers are kept::

    async with running_fake_tavily(results=[page("https://acme.com", "Jane ...")]) as tavily:
        research = TavilyResearch("tvly-test", base_url=tavily.base_url)
        tavily.then(Search(status=429, retry_after=1))
        ...
        assert tavily.requests[0]["search_depth"] == "basic"

``results`` may also be a function of the request body, for benchmarks that
answer every person with pages of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.http.background_server import serve_in_background

Result = dict[str, Any]
#: Fixed results, or a function of the request body that returns them.
Results = Sequence[Result] | Callable[[dict[str, Any]], Sequence[Result]]


def page(url: str, content: str, *, title: str = "", score: float = 0.9) -> Result:
    """One search result as Tavily returns it."""
    return {
        "title": title or url,
        "url": url,
        "content": content,
        "score": score,
        "raw_content": None,
    }


@dataclass(frozen=True)
class Search:
    """The answer to one request: results (None: the defaults), or an error status.

    ``retry_after`` sets the ``Retry-After`` header of an error; ``delay``
    waits that many seconds before answering (cut short when the fake stops).
    """

    results: Results | None = None
    status: int = 200
    retry_after: float | None = None
    delay: float = 0.0
    error: str = "fake failure"


@dataclass
class FakeTavily:
    """A running fake: its base URL, the requests it got, and what it answers next."""

    base_url: str
    results: Results = ()
    delay: float = 0.0
    api_key: str | None = None
    queue: deque[Search] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def then(self, *searches: Search) -> FakeTavily:
        """Queue answers for the next requests, in order."""
        self.queue.extend(searches)
        return self

    async def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if the fake is shutting down."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), seconds)

    async def answer(self, request: Request) -> Response:
        """Handle ``POST /search``."""
        started = time.perf_counter()
        body = await request.json()
        headers = dict(request.headers)
        self.requests.append(body)
        self.headers.append(headers)
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token or (self.api_key is not None and token != self.api_key):
            return _error(401, "Unauthorized: missing or invalid API key.")
        search = self.queue.popleft() if self.queue else Search()
        await self.wait(search.delay or self.delay)
        if search.status != 200:
            return _error(search.status, search.error, retry_after=search.retry_after)
        results = self.results if search.results is None else search.results
        if callable(results):
            results = results(body)
        limit = int(body.get("max_results") or 5)
        return JSONResponse(
            {
                "query": body.get("query", ""),
                "follow_up_questions": None,
                "answer": "A generated answer." if body.get("include_answer") else None,
                "images": [],
                "results": [dict(result) for result in list(results)[:limit]],
                "response_time": round(time.perf_counter() - started, 3),
                "request_id": str(uuid.uuid4()),
            }
        )


def _error(status: int, message: str, *, retry_after: float | None = None) -> JSONResponse:
    headers = {}
    if retry_after is not None:
        seconds = retry_after
        headers["retry-after"] = str(int(seconds)) if seconds == int(seconds) else str(seconds)
    return JSONResponse({"detail": {"error": message}}, status_code=status, headers=headers)


@asynccontextmanager
async def running_fake_tavily(
    *, results: Results = (), delay: float = 0.0, api_key: str | None = None
) -> AsyncIterator[FakeTavily]:
    """Serve a `FakeTavily` on a free loopback port; give the SDK ``base_url=fake.base_url``.

    ``api_key`` set: only that bearer token is accepted; unset: any non-empty one.
    """
    fake = FakeTavily(base_url="", results=results, delay=delay, api_key=api_key)
    app = Starlette(routes=[Route("/search", fake.answer, methods=["POST"])])
    async with serve_in_background(app) as url:
        fake.base_url = url
        try:
            yield fake
        finally:
            fake.released.set()
