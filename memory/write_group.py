"""`WriteGroup`: concurrent small writes committed together (group commit).

Fifty workers that each finish a row at about the same time would otherwise
take fifty turns of SQLite's write queue (or fifty PostgreSQL commits). A
`WriteGroup` runs whatever was submitted while a transaction was under way
in the next one, so a burst costs one commit. Each caller still waits for
its own write to be committed and gets its own result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from memory.db import Database

T = TypeVar("T")
R = TypeVar("R")

#: Writes one group in one transaction; returns one result per item, in order.
#: A result that is an exception is raised to that item's caller alone.
GroupWrite = Callable[[AsyncSession, list[T]], Awaitable[list[R | Exception]]]

#: The most items committed in one transaction.
MAX_GROUP = 200


class WriteGroup(Generic[T, R]):
    """Runs ``write`` on groups of submitted items, one transaction a group."""

    def __init__(
        self, db: Database, write: GroupWrite[T, R], *, max_group: int = MAX_GROUP
    ) -> None:
        self.db = db
        self.write = write
        self.max_group = max_group
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Write ``item`` with whatever else is waiting; return its result once committed.

        An error of the transaction itself reaches every item of its group.
        """
        result: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        # Marks an error as seen even when its caller was cancelled and will never look.
        result.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._queue.append((item, result))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        # Shielded: a caller cancelled while waiting does not roll back the others' writes.
        return await asyncio.shield(result)

    async def _drain(self) -> None:
        while self._queue:
            group = self._queue[: self.max_group]
            del self._queue[: self.max_group]
            try:
                async with self.db.transaction() as session:
                    outcomes = await self.write(session, [item for item, _ in group])
            except Exception as exc:
                outcomes = [exc] * len(group)
            for (_, result), outcome in zip(group, outcomes, strict=True):
                if result.cancelled():
                    continue
                if isinstance(outcome, Exception):
                    result.set_exception(outcome)
                else:
                    result.set_result(outcome)
