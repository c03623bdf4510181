"""`ResearchProvider`: what /enrich learns about a person, and from where.

Everything a research provider returns is untrusted: web pages are data for
the model to read, never instructions for it to follow
(`agents.research.untrusted` marks and neutralises text that tries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PersonProfile:
    """What the bot already knows of a contact: the starting point of research."""

    contact_id: int | None
    name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    #: Channel handles, e.g. ("slack:U123",).
    handles: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    #: The contact's recent messages, oldest first (what they told us themselves).
    history: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """One page (or the bot's own records) with its text.

    ``flags`` name what `agents.research.untrusted` found and removed from
    ``title`` or ``content`` (``instruction``, ``role_tag``); a flagged source
    may be shown but is not evidence for intent signals or an e-mail. Web
    sources have an http(s) ``url``; the bot's own records use
    ``bot://contact/<id>/profile`` and ``bot://contact/<id>/messages``.
    """

    url: str
    title: str = ""
    content: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Research:
    """What one research run found: the query, the sources, and notes for the reader."""

    provider: str  # tavily, known_data
    query: str
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()


class ResearchProvider(Protocol):
    """Finds sources about a person (Tavily web search, or only what the bot knows)."""

    name: str

    async def research(self, person: PersonProfile) -> Research:
        """Sources about ``person``; raises `agents.errors.ProviderError` subclasses on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
