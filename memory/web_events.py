"""`WebEventStore`: the web chat's stream events, shared by every process on the database.

A send (in whichever process answered) inserts rows; a stream (in whichever
process the visitor is connected to) reads the rows after the last id it
sent. Waking the stream:

- PostgreSQL: the insert's transaction sends ``NOTIFY bot_web_events`` with the
  conversation's digest; one ``LISTEN`` connection per process wakes the
  streams of that conversation at once. A one-second poll covers a
  notification missed while the listener (re)connects.
- SQLite: one machine, usually one process: a send in this process wakes its
  streams directly, and a 200 ms poll covers another process's sends.

Events are copies of what the messages table keeps; rows older than a day
are pruned as new ones are written.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, delete, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from memory.db import Database
from memory.models import Conversation, Identity, WebVerification, utcnow
from memory.models import WebEvent as WebEventRow

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "bot_web_events"
#: How long events stay: a widget reloaded within it shows the conversation again.
KEEP = timedelta(days=1)
#: Prune old rows once every this many inserts (cheap: an index on created_at).
PRUNE_EVERY = 200
EVENTS = WebEventRow.__table__


@dataclass(frozen=True, slots=True)
class StoredWebEvent:
    """One stored event: its id (the stream's event id), kind, text and meta."""

    id: int
    kind: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


def _digest(conversation_key: str) -> str:
    # The notification names no visitor: a short digest is enough to wake the right streams.
    return hashlib.sha256(conversation_key.encode()).hexdigest()[:16]


class WebEventStore:
    """Publishes and reads web chat events; wakes waiting streams (see the module's docstring)."""

    def __init__(self, db: Database, *, poll_s: float | None = None) -> None:
        self.db = db
        self.postgres = db.dialect == "postgresql"
        self.poll_s = poll_s if poll_s is not None else (1.0 if self.postgres else 0.2)
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._inserted = 0

    async def publish(
        self, conversation_key: str, events: Sequence[tuple[str, str, dict[str, Any]]]
    ) -> list[int]:
        """Append events in one transaction (and notify every process); their ids."""
        ids: list[int] = []
        async with self.db.transaction() as session:
            for kind, body, meta in events:
                new_id = await session.scalar(
                    EVENTS.insert()
                    .values(
                        conversation_key=conversation_key,
                        kind=kind,
                        text=body,
                        meta=meta,
                        created_at=utcnow(),
                    )
                    .returning(EVENTS.c.id)
                )
                ids.append(int(new_id))
            if self.postgres:  # delivered when the transaction commits, to every listener
                await session.execute(
                    text("SELECT pg_notify(:channel, :key)"),
                    {"channel": NOTIFY_CHANNEL, "key": _digest(conversation_key)},
                )
            self._inserted += len(ids)
            if self._inserted >= PRUNE_EVERY:
                self._inserted = 0
                await session.execute(delete(EVENTS).where(EVENTS.c.created_at < utcnow() - KEEP))
        self._wake(_digest(conversation_key))
        return ids

    async def after(
        self, conversation_key: str, after_id: int, *, limit: int
    ) -> list[StoredWebEvent]:
        """The conversation's events after ``after_id``, oldest first, at most ``limit``."""
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(EVENTS.c.id, EVENTS.c.kind, EVENTS.c.text, EVENTS.c.meta)
                .where(EVENTS.c.conversation_key == conversation_key, EVENTS.c.id > after_id)
                .order_by(EVENTS.c.id)
                .limit(limit)
            )
            return [StoredWebEvent(r.id, r.kind, r.text, dict(r.meta or {})) for r in rows]

    async def wait(self, conversation_key: str) -> None:
        """Return when the conversation may have new events, or after the poll interval."""
        if self.postgres and self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="web-events-listener")
        digest = _digest(conversation_key)
        woken = asyncio.Event()
        self._waiters.setdefault(digest, set()).add(woken)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), self.poll_s)
        finally:
            waiting = self._waiters.get(digest)
            if waiting is not None:
                waiting.discard(woken)
                if not waiting:
                    del self._waiters[digest]

    async def aclose(self) -> None:
        """Stop listening for notifications."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None

    def _wake(self, digest: str) -> None:
        for woken in self._waiters.get(digest, ()):
            woken.set()

    async def _listen(self) -> None:
        """Hold one LISTEN connection; reconnect after a pause if it drops."""
        import asyncpg

        url = make_url(self.db.url).set(drivername="postgresql")
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(url.render_as_string(hide_password=False))
                await connection.add_listener(
                    NOTIFY_CHANNEL, lambda _c, _pid, _channel, digest: self._wake(digest)
                )
                closed = asyncio.Event()
                connection.add_termination_listener(lambda _c, ended=closed: ended.set())
                await closed.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the poll keeps streams going meanwhile
                log.warning("web chat: listening for new events failed (%s); retrying", exc)
            finally:
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)
            await asyncio.sleep(2)


async def delete_web_chat_copies(
    session: AsyncSession, conversations: Select, contact_ids: Sequence[int]
) -> dict[str, int]:
    """Delete the web chat's rows about a person (contact deletion): the events of their
    web conversations and their pending phone code; rows deleted per table."""
    web_keys = select(Conversation.key).where(
        Conversation.id.in_(conversations), Conversation.channel == "web"
    )
    visitors = select(Identity.external_id).where(
        Identity.contact_id.in_(contact_ids), Identity.kind == "web"
    )
    events = await session.execute(delete(EVENTS).where(EVENTS.c.conversation_key.in_(web_keys)))
    codes = await session.execute(
        delete(WebVerification).where(WebVerification.visitor.in_(visitors))
    )
    return {
        "web_events": int(events.rowcount or 0),  # type: ignore[attr-defined]
        "web_verifications": int(codes.rowcount or 0),  # type: ignore[attr-defined]
    }
