"""`Reply` and `Script`: what a fake vendor answers, request by request."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

#: Where a streamed reply is cut: before any text, or after the first delta.
CUT_BEFORE_FIRST_TOKEN = "before_first_token"
CUT_AFTER_FIRST_TOKEN = "after_first_token"


@dataclass(frozen=True)
class Reply:
    """One answer of a fake vendor.

    ``status`` other than 200 answers with the vendor's error body (and a
    ``Retry-After`` header when ``retry_after`` is set). ``stall`` waits that
    many seconds before answering (for a stream: before the first chunk, or
    between the first and second chunk when ``stall_after_first`` is set).
    ``cut`` drops the connection mid-stream. ``output_tokens`` defaults to the
    word count of ``text``; ``extra["reasoning_tokens"]`` says how many of them a
    reasoning model spent thinking (``text=""`` with ``finish_reason="length"`` is
    a reply whose whole budget went to reasoning).
    """

    text: str = "Hello from the fake model."
    status: int = 200
    error_message: str = "fake failure"
    retry_after: float | None = None
    stall: float = 0.0
    stall_after_first: bool = False
    cut: str | None = None
    input_tokens: int = 12
    output_tokens: int | None = None
    cached_input_tokens: int = 0
    finish_reason: str = "stop"  # vendor-neutral: stop, length, refusal, tool_use
    refusal: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def completion_tokens(self) -> int:
        """The output token count the fake reports."""
        return len(self.text.split()) if self.output_tokens is None else self.output_tokens

    def deltas(self) -> list[str]:
        """``text`` in stream-sized pieces that join back to it exactly."""
        words = self.text.split(" ")
        return [word if i == 0 else " " + word for i, word in enumerate(words)]


class Script:
    """Replies to hand out in order; `default` once the queue is empty."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply()
        self.queue: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        #: Models the vendor has retired: a request for one gets the vendor's "not found".
        self.retired_models: set[str] = set()
        #: Request parameters the model refuses: a request with one gets the vendor's 400.
        self.refused_params: set[str] = set()
        # Set when the fake shuts down, so stalled handlers let go at once.
        self.released = asyncio.Event()

    def then(self, *replies: Reply) -> Script:
        """Queue ``replies`` for the next requests."""
        self.queue.extend(replies)
        return self

    def take(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        """Record a request and pick its reply."""
        self.requests.append(body)
        self.headers.append(headers)
        return self.queue.popleft() if self.queue else self.default

    async def stall(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the fake is shutting down."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.released.wait(), seconds)
