"""Research from the bot's own records: the contact's profile and their own words.

`KnownDataResearch` is what /enrich uses without ``TAVILY_API_KEY``: no web
search, only what the bot already knows, and its notes say so. The same
sources (`known_sources`) go with web research too: what a contact told the
bot is often the best sign of what they need.

The records are screened like web pages (`agents.research.untrusted`): a
display name, a fact or a message was written by the contact, and a contact
can write "ignore previous instructions" as easily as a web page can.
"""

from __future__ import annotations

import json
from typing import Any

from agents.errors import ProviderUnavailableError
from agents.research.base import PersonProfile, Research, ResearchProvider, Source
from agents.research.untrusted import screen_source

#: The note a research without a Tavily key carries (shown to the user).
NO_KEY_NOTE = "TAVILY_API_KEY is not set: used only what the bot already knows"
#: How many facts, and how much of each value, the profile source quotes.
MAX_FACTS = 30
MAX_FACT_CHARS = 300


def profile_url(person: PersonProfile) -> str:
    """The address of ``person``'s profile as a source (``bot://contact/12/profile``)."""
    return f"bot://contact/{_contact_key(person)}/profile"


def messages_url(person: PersonProfile) -> str:
    """The address of ``person``'s own messages as a source."""
    return f"bot://contact/{_contact_key(person)}/messages"


def known_sources(person: PersonProfile) -> tuple[Source, ...]:
    """``person``'s profile (name, addresses, handles, facts) and own messages, screened."""
    lines = [f"Name: {person.name}"] if person.name else []
    lines += [f"E-mail: {email}" for email in person.emails]
    lines += [f"Phone: {phone}" for phone in person.phones]
    lines += [f"Handle: {handle}" for handle in person.handles]
    for key, value in list(person.facts.items())[:MAX_FACTS]:
        lines.append(f"{key}: {_fact_text(value)}")
    sources = [
        Source(
            url=profile_url(person),
            title="What the bot knows of this contact",
            content="\n".join(lines) or "Nothing is known yet beyond this contact's existence.",
        )
    ]
    if person.history:
        # One message a line: a screened instruction then removes the rest of
        # its own message, not the messages after it.
        said = "\n".join(" ".join(text.split()) for text in person.history if text.strip())
        sources.append(
            Source(url=messages_url(person), title="The contact's own messages", content=said)
        )
    return tuple(screen_source(source) for source in sources)


class KnownDataResearch:
    """A `ResearchProvider` that reads only the bot's records (no web search)."""

    name = "known_data"

    def __init__(self, *, note: str = NO_KEY_NOTE) -> None:
        self.note = note

    async def research(self, person: PersonProfile) -> Research:
        """The contact's profile and messages as sources, with a note that says so."""
        return Research(
            provider=self.name, query="", sources=known_sources(person), notes=(self.note,)
        )

    async def aclose(self) -> None:
        """Nothing to release."""


def research_provider(api_key: str | None, *, base_url: str, max_results: int) -> ResearchProvider:
    """Tavily with a key; otherwise (or without the tavily-python package) known data only."""
    if not api_key:
        return KnownDataResearch()
    from agents.research.tavily import TavilyResearch

    try:
        return TavilyResearch(api_key, base_url=base_url, max_results=max_results)
    except ProviderUnavailableError as exc:
        return KnownDataResearch(note=f"{exc}: used only what the bot already knows")


def _contact_key(person: PersonProfile) -> str:
    return "new" if person.contact_id is None else str(person.contact_id)


def _fact_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= MAX_FACT_CHARS else text[: MAX_FACT_CHARS - 1] + "…"
