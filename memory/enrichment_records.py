"""What /enrich reads of a contact, and why it could not find the one asked for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memory.contacts import Address
from memory.errors import MemoryStoreError


class ContactNotFoundError(MemoryStoreError, LookupError):
    """No contact has this id."""


class AmbiguousContactError(MemoryStoreError):
    """Several contacts have the name asked for; ``candidates`` lists them."""

    def __init__(self, name: str, candidates: Sequence[ContactCandidate]) -> None:
        super().__init__(f"{len(candidates)} contacts are called {name!r}")
        self.name = name
        self.candidates = tuple(candidates)


@dataclass(frozen=True, slots=True)
class ContactCandidate:
    """One of several contacts a name matches, with what tells them apart."""

    id: int
    name: str | None
    addresses: tuple[Address, ...]


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """What /enrich reads of one contact."""

    id: int
    name: str | None
    addresses: tuple[Address, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    #: The contact's own recent messages, oldest first.
    history: tuple[str, ...] = ()
    enrichment: dict[str, Any] | None = None
    enriched_at: datetime | None = None
    #: False when only the contact row was read (``locate(full=False)``): ``addresses``
    #: and ``history`` are empty until `EnrichmentStore.complete` reads them.
    complete: bool = True
