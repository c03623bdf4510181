"""What the web chat needs from the bot: an event log, rate limits, address verification.

The channel stays free of the database (channels import only channels): the
bot hands it these, backed by its stores (`memory.web_events`,
`memory.web_admissions`, `bot.web.verification`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

#: A sentence of the bot's reply, shown as it arrives.
SENTENCE = "sentence"
#: The visitor's own message, so that every tab of theirs shows the whole conversation.
VISITOR = "visitor"


class WebEvent(Protocol):
    """One event of a visitor's stream; ``id`` is its SSE id (``Last-Event-ID``)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def meta(self) -> dict[str, Any]: ...


class WebEventLog(Protocol):
    """Where sends are written and streams read, shared by every process."""

    async def publish(
        self, conversation_key: str, events: Sequence[tuple[str, str, dict[str, Any]]]
    ) -> list[int]:
        """Append ``(kind, text, meta)`` events in one transaction; their ids, in order."""
        ...

    async def after(
        self, conversation_key: str, after_id: int, *, limit: int
    ) -> Sequence[WebEvent]:
        """The conversation's events with an id above ``after_id``, oldest first."""
        ...

    async def wait(self, conversation_key: str) -> None:
        """Return when the conversation may have new events (woken by a notification, or
        after a short poll interval)."""
        ...


class RateLimits(Protocol):
    """Admissions counted per key across processes (`memory.web_admissions`)."""

    async def admit(self, limits: Sequence[tuple[str, int]], window_s: float) -> float | None:
        """Count one request against each ``(key, limit)``; None when admitted, else the
        seconds to wait (a 429's ``Retry-After``)."""
        ...


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    """What a verification step gave: an HTTP status and what the widget shows."""

    status: int
    message: str
    retry_after_s: float | None = None
    #: On success: the verified address, masked (``phone …4567``).
    verified: str | None = None


class Verifier(Protocol):
    """Proves a visitor owns a phone number or e-mail before their contact is joined to it."""

    async def start(self, visitor: str, address: str) -> VerifyOutcome:
        """Send a code to ``address`` (a phone number or an e-mail) for ``visitor``."""
        ...

    async def confirm(self, visitor: str, code: str) -> VerifyOutcome:
        """Check the code; on success join the visitor to that address's contact."""
        ...
