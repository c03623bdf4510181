"""`FollowUpClaims`: who is sending a follow-up, and what a round that died left.

A round takes a due follow-up in two steps, so a round that dies can be
told apart by how far it got:

- ``writing``: claimed, its text being written; the channel was not called.
  A round that died here provably sent nothing: the follow-up is handed
  back (``pending``) and the next round sends it.
- ``sending``: the channel was called. A round that died here may have
  delivered it: the vendors take no idempotency key for a send, so sending
  again could text the lead twice. It is recorded ``unknown`` and never
  re-sent; ``bot followups list --status unknown`` shows them.

Each claim carries a token: a round whose claim was handed back meanwhile
cannot move it to ``sending`` (another round owns it now).

`recover` is safe only where no other round runs at the same time: a
procrastinate job holding the ``followups`` lock (PostgreSQL), or the one
serving process's loop (SQLite). A manual ``bot followups run`` does not
recover; its claims are protected by their token, and a send of its own
marked ``unknown`` meanwhile is corrected to ``sent`` when it finishes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import update

from memory.db import Database
from memory.models import FollowUp, utcnow

PENDING, WRITING, SENDING, UNKNOWN = "pending", "writing", "sending", "unknown"

HANDED_BACK = "handed back: the round that claimed it died before sending"
MAYBE_SENT = "its round died mid-send: maybe delivered, not sent again (no idempotency key)"


@dataclass(frozen=True, slots=True)
class Recovered:
    """What `FollowUpClaims.recover` did with the claims of dead rounds."""

    handed_back: int
    unknown: int


class FollowUpClaims:
    """Claims follow-ups for a round, and recovers those of rounds that died."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, followup_id: int) -> str | None:
        """Take a pending follow-up (``writing``); its token, or None if another round took it."""
        token = uuid.uuid4().hex
        async with self.db.transaction() as session:
            result = await session.execute(
                update(FollowUp)
                .where(FollowUp.id == followup_id, FollowUp.status == PENDING)
                .values(status=WRITING, claim=token)
            )
        return token if result.rowcount else None  # type: ignore[attr-defined]

    async def start_send(self, followup_id: int, token: str) -> bool:
        """Record that the channel is about to be called; False if the claim was lost."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(FollowUp)
                .where(
                    FollowUp.id == followup_id,
                    FollowUp.status == WRITING,
                    FollowUp.claim == token,
                )
                .values(status=SENDING)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, followup_id: int, token: str) -> None:
        """Hand back a claim this round will not use (the text could not be written)."""
        async with self.db.transaction() as session:
            await session.execute(
                update(FollowUp)
                .where(FollowUp.id == followup_id, FollowUp.claim == token)
                .where(FollowUp.status == WRITING)
                .values(status=PENDING, claim=None)
            )

    async def recover(self) -> Recovered:
        """Close the claims of rounds that died: see the module doc for when this is safe."""
        async with self.db.transaction() as session:
            back = await session.execute(
                update(FollowUp)
                .where(FollowUp.status == WRITING)
                .values(status=PENDING, claim=None, reason=HANDED_BACK)
            )
            unknown = await session.execute(
                update(FollowUp)
                .where(FollowUp.status == SENDING)
                .values(status=UNKNOWN, reason=MAYBE_SENT, done_at=utcnow())
            )
        return Recovered(
            handed_back=int(back.rowcount),  # type: ignore[attr-defined]
            unknown=int(unknown.rowcount),  # type: ignore[attr-defined]
        )
