"""`VerificationStore`: the pending code of each web chat visitor, as an HMAC.

One row per visitor: asking for a new code replaces the old one. A try is
counted before the code is compared, in one UPDATE that only succeeds under
the attempts cap and before expiry, so guesses sent at once from several
processes each use up a try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from memory.db import Database
from memory.models import WebVerification, utcnow

ROWS = WebVerification.__table__


@dataclass(frozen=True, slots=True)
class PendingCode:
    """A code being tried: the address it proves, its HMAC, and the tries used so far."""

    kind: str
    address: str
    code_hash: str
    attempts: int


class VerificationStore:
    """Stores, tries and clears visitors' pending codes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def put(
        self, visitor: str, *, kind: str, address: str, code_hash: str, expires_at: datetime
    ) -> None:
        """Make this the visitor's one pending code (tries reset)."""
        values = {
            "kind": kind,
            "address": address,
            "code_hash": code_hash,
            "attempts": 0,
            "expires_at": expires_at,
            "created_at": utcnow(),
        }
        async with self.db.transaction() as session:
            await session.execute(
                self.db.upsert(WebVerification, index_elements=["visitor"], set_=values).values(
                    visitor=visitor, **values
                )
            )

    async def try_code(self, visitor: str, *, max_attempts: int) -> PendingCode | str:
        """Use up one try of the visitor's code: the code, or why there is none to try
        (``none``, ``expired``, ``exhausted``)."""
        now = utcnow()
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    update(ROWS)
                    .where(
                        ROWS.c.visitor == visitor,
                        ROWS.c.attempts < max_attempts,
                        ROWS.c.expires_at > now,
                    )
                    .values(attempts=ROWS.c.attempts + 1)
                    .returning(ROWS.c.kind, ROWS.c.address, ROWS.c.code_hash, ROWS.c.attempts)
                )
            ).first()
            if row is not None:
                return PendingCode(row.kind, row.address, row.code_hash, row.attempts)
            found = (
                await session.execute(
                    select(ROWS.c.attempts, ROWS.c.expires_at).where(ROWS.c.visitor == visitor)
                )
            ).first()
        if found is None:
            return "none"
        return "expired" if _aware(found.expires_at) <= now else "exhausted"

    async def clear(self, visitor: str) -> None:
        """Forget the visitor's code (used, or no longer worth keeping)."""
        async with self.db.transaction() as session:
            await session.execute(delete(ROWS).where(ROWS.c.visitor == visitor))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
