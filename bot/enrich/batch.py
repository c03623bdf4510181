"""Batch /enrich: a CSV of people in, one JSON line per row out, resumable.

``bot enrich contacts.csv --out results.jsonl`` is a thin shell over
`EnrichBatch`. The CSV has a header naming any of ``name``, ``email``,
``phone``, ``slack`` (case-insensitive; other columns are ignored). Rows run
on a fixed pool of workers (``concurrency``: at most that many researches at
once), optionally paced to ``max_per_minute`` starts; the providers and
research honour 429 ``Retry-After`` themselves. A few tasks find the rows'
contacts ahead of the workers, so no worker waits on the database between
two rows.

Each out line is ``{"line", "input", "status": "ok", "contact_id", "cached",
"enrichment"}`` or ``{"line", "input", "status": "error", "reason":
"bad_row" | "ambiguous" | "failed", "error"}``.

Nothing is paid for twice: a row already written as ``ok`` to the out file
is skipped on the next run, and a row whose contact has a fresh stored
enrichment is answered from the store without research or model call. Each
record is appended and flushed as soon as its row is finished, so an
interrupted run loses at most the rows in flight. A bad row (no usable
field, an invalid e-mail or phone, a name several contacts share) is
reported with its line number and written as an error record; it never
stops the batch. Error rows are tried (and reported) again on the next run.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from agents.errors import AgentError
from bot.enrich.batch_csv import (
    AMBIGUOUS,
    BAD_ROW,
    ERROR,
    FAILED,
    OK,
    BatchError,
    BatchRow,
    done_rows,
    read_rows,
    row_key,
    row_target,
)
from bot.enrich.service import EnrichService
from bot.enrich.target import TargetError
from memory.enrichment_records import AmbiguousContactError, ContactRecord
from memory.errors import InvalidAddressError, MemoryStoreError

__all__ = ["BatchError", "BatchRow", "BatchSummary", "EnrichBatch", "Pacer", "read_rows"]

log = logging.getLogger(__name__)


@dataclass
class BatchSummary:
    """What a run did, row by row."""

    rows: int = 0
    #: Researched and scored now (model calls made).
    done: int = 0
    #: Answered from a fresh stored enrichment (no model call).
    reused: int = 0
    #: Already ``ok`` in the out file from an earlier run (not looked at again).
    resumed: int = 0
    skipped_bad: int = 0
    failed: int = 0
    #: Whether the run ended before every row was done (stopped or cancelled).
    stopped: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data (the CLI's ``--json`` and last line)."""
        return asdict(self)


class Pacer:
    """Spaces starts at least ``60 / per_minute`` seconds apart (a simple token schedule)."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / per_minute
        self._next = 0.0

    async def wait(self) -> None:
        """Return when the next start is due."""
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


#: A row's contact, or the error record that says why it has none.
Located = ContactRecord | dict[str, Any]
#: Tasks finding contacts ahead of the workers (database work only).
LOCATORS = 4

#: Called with each record as it is written (the CLI's progress bar and stderr report).
RecordHook = Callable[[dict[str, Any]], None]


@dataclass
class EnrichBatch:
    """Enriches rows on a pool of workers, appending one record per row to ``out``."""

    service: EnrichService
    out: Path
    concurrency: int = 20
    max_per_minute: float | None = None
    refresh: bool = False
    on_record: RecordHook | None = None
    #: Called once the out file is read, with the summary so far (``resumed`` is known).
    on_start: Callable[[BatchSummary], None] | None = None
    summary: BatchSummary = field(default_factory=BatchSummary, init=False)
    _stopping: bool = field(default=False, init=False)

    def stop(self) -> None:
        """Take no new rows; the rows in flight finish and are written."""
        self._stopping = True

    async def run(self, rows: list[BatchRow]) -> BatchSummary:
        """Enrich ``rows`` (skipping those the out file has as ok) and return the summary."""
        if self.concurrency < 1:
            raise BatchError("concurrency must be at least 1")
        self.summary = summary = BatchSummary(rows=len(rows))
        finished = done_rows(self.out)
        pending = [r for r in rows if (r.line, row_key(r.fields)) not in finished]
        summary.resumed = len(rows) - len(pending)
        if self.on_start is not None:
            self.on_start(summary)
        pacer = Pacer(self.max_per_minute) if self.max_per_minute else None
        rows_left = iter(pending)
        # Finding the contacts runs ahead of the research: a worker that is done with
        # one row finds the next one's contact already read, and waits on no database.
        located: asyncio.Queue[tuple[BatchRow, Located] | None] = asyncio.Queue(self.concurrency)
        workers = min(self.concurrency, len(pending))
        self.out.parent.mkdir(parents=True, exist_ok=True)
        with self.out.open("a", encoding="utf-8") as out:

            async def locator() -> None:
                # A shared iterator: next() never awaits, so no two locators take one row.
                for row in rows_left:
                    if self._stopping:
                        return
                    await located.put((row, await self._locate(row)))

            async def locate_all() -> None:
                await asyncio.gather(*(locator() for _ in range(min(LOCATORS, workers))))
                for _ in range(workers):
                    await located.put(None)  # one "no more rows" for each worker

            async def worker() -> None:
                while (item := await located.get()) is not None:
                    if not self._stopping:
                        row, found = item
                        self._write(out, await self._enrich(row, found, pacer))

            try:
                await asyncio.gather(locate_all(), *(worker() for _ in range(workers)))
            except asyncio.CancelledError:
                summary.stopped = True
                raise
        done = summary.done + summary.reused + summary.skipped_bad + summary.failed
        summary.stopped = summary.stopped or done < len(pending)
        return summary

    async def _locate(self, row: BatchRow) -> Located:
        """The row's contact (identities and messages not read yet), or its error record."""
        service = self.service
        try:
            addresses, name = row_target(row, default_region=service.default_region)
            return await service.store.locate(addresses=addresses, name=name, full=False)
        except (TargetError, InvalidAddressError) as exc:
            return self._error(row, BAD_ROW, str(exc))
        except AmbiguousContactError as exc:
            ids = ", ".join(f"#{c.id}" for c in exc.candidates)
            return self._error(row, AMBIGUOUS, f"{exc} ({ids}); give an e-mail or phone")
        except MemoryStoreError as exc:
            return self._error(row, FAILED, str(exc))
        except Exception as exc:  # e.g. the database went away: this row fails, not the batch
            log.exception("line %d: finding the contact failed", row.line)
            return self._error(row, FAILED, f"{type(exc).__name__}: {exc}")

    async def _enrich(self, row: BatchRow, found: Located, pacer: Pacer | None) -> dict[str, Any]:
        """The row's ok record (from the store while fresh, else researched now) or error."""
        if isinstance(found, dict):
            return found
        service = self.service
        cached = None if self.refresh else service.fresh(found)
        if cached is None:
            if pacer is not None:
                await pacer.wait()
            try:
                enrichment = await service.enrich_record(found, refresh=True)
            except (AgentError, MemoryStoreError) as exc:
                return self._error(row, FAILED, str(exc) or type(exc).__name__)
            except Exception as exc:  # one row's surprise must not end a batch of thousands
                log.exception("line %d: enrich failed", row.line)
                return self._error(row, FAILED, f"{type(exc).__name__}: {exc}")
        else:
            enrichment = cached
        return {
            "line": row.line,
            "input": row.fields,
            "status": OK,
            "contact_id": found.id,
            "cached": enrichment.cached,
            "enrichment": enrichment.model_dump(mode="json"),
        }

    def _error(self, row: BatchRow, reason: str, message: str) -> dict[str, Any]:
        return {
            "line": row.line,
            "input": row.fields,
            "status": ERROR,
            "reason": reason,
            "error": message,
        }

    def _write(self, out: IO[str], record: dict[str, Any]) -> None:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        summary = self.summary
        if record["status"] == OK:
            if record["cached"]:
                summary.reused += 1
            else:
                summary.done += 1
        elif record["reason"] == FAILED:
            summary.failed += 1
        else:
            summary.skipped_bad += 1
        if self.on_record is not None:
            self.on_record(record)
