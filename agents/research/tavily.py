"""`TavilyResearch`: web research about a person through Tavily's official SDK.

One ``basic``-depth search per person (one API credit), a few results, no
generated answer: the model is given the pages, not a summary of them. The
SDK (``AsyncTavilyClient``) builds and sends the request; we hand it our own
``httpx.AsyncClient`` for three reasons: a base URL (the fake Tavily in
tests), explicit timeouts, and a response hook that translates error
statuses at the boundary while the headers are still there. The SDK turns a
429 into ``UsageLimitExceededError`` and drops ``Retry-After``, which a batch
of thousands needs to slow down properly.

Rate limits: a 429 closes a gate shared by every request of this provider
for as long as ``Retry-After`` says, so a batch at concurrency 50 pauses
together instead of 50 requests each earning their own 429. Waits up to
``RetryPolicy.max_retry_after`` (20 s) are waited out; longer ones raise
`RateLimitedError` at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from itertools import count
from typing import Any

import httpx

from agents.errors import (
    ProviderAuthError,
    ProviderConnectionError,
    ProviderError,
    ProviderRequestError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
)
from agents.providers.resilience import RetryPolicy, retry_after
from agents.research.base import PersonProfile, Research, Source
from agents.research.known import research_provider
from agents.research.query import search_query
from agents.research.untrusted import screen_source

log = logging.getLogger(__name__)

TAVILY_BASE_URL = "https://api.tavily.com"
#: How much of one page's text is kept (Tavily's basic snippets are well under this).
MAX_SOURCE_CHARS = 4000
#: The SDK's error classes (by name, so any SDK version works) and the status they stand for.
SDK_ERROR_STATUS = {
    "InvalidAPIKeyError": 401,
    "MissingAPIKeyError": 401,
    "ForbiddenError": 403,
    "UsageLimitExceededError": 429,
    "BadRequestError": 400,
}

__all__ = ["TAVILY_BASE_URL", "TavilyResearch", "research_provider", "status_error"]


class TavilyResearch:
    """A `ResearchProvider` that searches the web with Tavily (``name = "tavily"``)."""

    name = "tavily"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = TAVILY_BASE_URL,
        max_results: int = 5,
        timeout: float = 20.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        try:
            from tavily import AsyncTavilyClient
        except ImportError:
            raise ProviderUnavailableError(
                "tavily-python is not installed (pip install tavily-python)", provider=self.name
            ) from None
        if not api_key:
            raise ProviderUnavailableError("TAVILY_API_KEY is not set", provider=self.name)
        self.base_url = base_url.rstrip("/")
        self.max_results = max_results
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        #: Until when (on ``clock``) Tavily asked every request to wait.
        self._gate_until = 0.0
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            event_hooks={"response": [_raise_for_status]},
        )
        self._client = AsyncTavilyClient(
            api_key=api_key, api_base_url=self.base_url, client=self._http
        )

    async def research(self, person: PersonProfile) -> Research:
        """Search for ``person``; pages come back screened (`agents.research.untrusted`)."""
        query = search_query(person)
        if not query:
            note = "Nothing to search the web for: the contact has no name, e-mail or phone"
            return Research(provider=self.name, query="", notes=(note,))
        data = await self.search(query)
        sources = self._sources(data.get("results") or [])
        notes: list[str] = []
        if not sources:
            notes.append(f"Tavily found nothing for {query}")
        flagged = sum(1 for source in sources if source.flags)
        if flagged:
            notes.append(
                f"{flagged} of {len(sources)} web source(s) held text addressed to an AI: "
                "it was removed, and those sources do not count as evidence"
            )
        return Research(provider=self.name, query=query, sources=sources, notes=tuple(notes))

    async def search(self, query: str) -> dict[str, Any]:
        """Tavily's answer to ``query`` (basic depth), retried and rate limited as described."""
        for attempt in count(1):
            await self._wait_for_gate()
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._client.search(
                        query,
                        search_depth="basic",
                        max_results=self.max_results,
                        include_answer=False,
                        include_raw_content=False,
                        include_images=False,
                        timeout=self.timeout,
                    )
            except Exception as exc:
                error = self.translate_error(exc)
            waits_at_gate = False
            if isinstance(error, RateLimitedError) and error.retry_after is not None:
                self._close_gate(error.retry_after)
                waits_at_gate = True
            delay = self.retry.delay(error, attempt)
            if delay is None:
                raise error
            log.info("tavily: %s; retrying (attempt %d)", error, attempt + 1)
            if not waits_at_gate:  # a Retry-After is waited out at the gate, with the others
                await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def translate_error(self, exc: BaseException) -> ProviderError:
        """Any failure of a search as one of `agents.errors` (timeouts and 5xx retryable)."""
        if isinstance(exc, ProviderError):
            return exc
        sdk_status = SDK_ERROR_STATUS.get(type(exc).__name__)
        if sdk_status is not None:
            return status_error(sdk_status, str(exc), {})
        if isinstance(exc, httpx.TimeoutException | TimeoutError) or (
            type(exc).__name__ == "TimeoutError" and type(exc).__module__.startswith("tavily")
        ):
            return ProviderTimeoutError(
                f"Tavily did not answer within {self.timeout:g} s", provider=self.name
            )
        if isinstance(exc, httpx.TransportError):
            return ProviderConnectionError(
                f"Tavily could not be reached at {self.base_url}: {exc!r}", provider=self.name
            )
        if isinstance(exc, httpx.HTTPStatusError):
            response = exc.response
            return status_error(response.status_code, _detail(response), response.headers)
        if isinstance(exc, ValueError):  # a 200 whose body is not JSON
            return ProviderServerError(
                f"Tavily answered with something that is not JSON: {exc}", provider=self.name
            )
        return ProviderError(f"Tavily search failed: {exc!r}", provider=self.name)

    async def aclose(self) -> None:
        """Close the HTTP connections (the SDK does not close a client it was given)."""
        await self._http.aclose()

    def _sources(self, results: list[Any]) -> tuple[Source, ...]:
        sources: dict[str, Source] = {}
        for result in results:
            if not isinstance(result, dict):
                continue
            url = str(result.get("url") or "").strip()
            if not url.startswith(("http://", "https://")) or url in sources:
                continue
            content = str(result.get("content") or "")[:MAX_SOURCE_CHARS]
            title = str(result.get("title") or "")[:300]
            sources[url] = screen_source(Source(url=url, title=title, content=content))
        return tuple(sources.values())[: self.max_results]

    async def _wait_for_gate(self) -> None:
        remaining = self._gate_until - self._clock()
        if remaining <= 0:
            return
        if remaining > self.retry.max_retry_after:
            raise RateLimitedError(
                f"Tavily is rate limiting this key for another {remaining:.0f} s; try later",
                retry_after=remaining,
                provider=self.name,
            )
        await self._sleep(remaining)

    def _close_gate(self, seconds: float) -> None:
        self._gate_until = max(self._gate_until, self._clock() + seconds)


def status_error(status: int, detail: str, headers: Mapping[str, str] | Any) -> ProviderError:
    """The `agents.errors` exception for a Tavily error status."""
    said = f" ({detail})" if detail else ""
    if status == 401:
        return ProviderAuthError(
            f"TAVILY_API_KEY was refused by Tavily (401){said}: check the key",
            provider="tavily",
            status=status,
        )
    if status == 403:
        return ProviderAuthError(
            f"TAVILY_API_KEY is not allowed this search (403){said}", provider="tavily", status=403
        )
    if status in (432, 433):
        # Tavily's own codes: the plan's credits (432) or the pay-as-you-go cap (433) are spent.
        return ProviderRequestError(
            f"Tavily usage limit reached ({status}){said}: raise it on tavily.com",
            provider="tavily",
            status=status,
        )
    if status == 429:
        wait = retry_after(headers)
        when = f"; retry after {wait:g} s" if wait is not None else ""
        return RateLimitedError(
            f"Tavily rate limit reached (429){said}{when}",
            retry_after=wait,
            provider="tavily",
            status=status,
        )
    if status >= 500:
        return ProviderServerError(
            f"Tavily failed ({status}){said}", provider="tavily", status=status
        )
    return ProviderRequestError(
        f"Tavily refused the search ({status}){said}", provider="tavily", status=status
    )


async def _raise_for_status(response: httpx.Response) -> None:
    """httpx response hook: an error status becomes our exception, headers and all."""
    if response.status_code < 400:
        return
    await response.aread()
    raise status_error(response.status_code, _detail(response), response.headers)


def _detail(response: httpx.Response) -> str:
    """Tavily's error text: ``{"detail": {"error": ...}}``, ``{"detail": ...}`` or the body."""
    try:
        body = response.json()
    except (ValueError, httpx.ResponseNotRead):
        return response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        detail = detail.get("error") or detail.get("message") or json.dumps(detail)
    return str(detail)[:300]
