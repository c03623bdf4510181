"""The input and output files of batch /enrich: CSV rows in, JSON lines out.

The CSV has a header naming any of ``name``, ``email``, ``phone``,
``slack`` (case-insensitive, a few other spellings accepted; other columns
are ignored). Rows are known by the line they start on, as an editor shows
it (1 is the header), so a bad row can be found and fixed.

The out file is JSON lines, one record per row (`bot.enrich.batch`);
`done_rows` reads back the rows an earlier run finished, for resuming.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.enrich.target import MAX_NAME_CHARS, TargetError, parse_target
from bot.errors import BotError
from memory.contacts import Address

log = logging.getLogger(__name__)

#: Column names read from the header, and the other spellings accepted for them.
COLUMNS = {
    "name": ("name", "full name", "full_name", "display_name"),
    "email": ("email", "e-mail", "email address", "mail"),
    "phone": ("phone", "phone number", "phone_number", "mobile", "tel"),
    "slack": ("slack", "slack id", "slack_id", "slack user", "slack_user"),
}
_HEADER = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}

#: Record statuses and error reasons in the out file.
OK, ERROR = "ok", "error"
BAD_ROW, AMBIGUOUS, FAILED = "bad_row", "ambiguous", "failed"


class BatchError(BotError):
    """The batch cannot start (no header, no known column, an unreadable file)."""


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One CSV row: its line number (1 is the header) and its known fields, as given."""

    line: int
    fields: dict[str, str]


def read_rows(path: Path) -> list[BatchRow]:
    """The rows of the CSV at ``path``; `BatchError` if it has no usable header."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            return list(_rows(file, path))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BatchError(f"cannot read {path}: {exc}") from exc


def _rows(file: IO[str], path: Path) -> Iterator[BatchRow]:
    reader = csv.reader(file)
    header = next(reader, None)
    if header is None:
        raise BatchError(f"{path} is empty: it needs a header (name, email, phone, slack)")
    columns = {i: _HEADER.get(" ".join(h.strip().lower().split())) for i, h in enumerate(header)}
    if not any(columns.values()):
        raise BatchError(
            f"{path}: the header names none of name, email, phone, slack (got {header!r})"
        )
    end = reader.line_num
    for cells in reader:
        # A quoted field may span lines: a row is known by the line it starts on.
        start, end = end + 1, reader.line_num
        fields = {
            column: cell.strip()
            for i, cell in enumerate(cells)
            if (column := columns.get(i)) and cell.strip()
        }
        if cells:  # csv gives [] for a blank line: nothing to report
            yield BatchRow(start, fields)


def row_target(row: BatchRow, *, default_region: str = "US") -> tuple[list[Address], str | None]:
    """The identities and name of a row; `TargetError` says why a row is unusable."""
    addresses: list[Address] = []
    name = " ".join(row.fields.get("name", "").split()) or None
    for column in ("email", "phone", "slack"):
        value = row.fields.get(column)
        if not value:
            continue
        # A cell pasted from Slack (<@U123|jane>) reads as Slack sent it.
        text = value if value.startswith("<") else f"{column}:{value}"
        target = parse_target(text, default_region=default_region)
        if target.address is None:
            raise TargetError(f"{column} {value!r} is not usable")
        addresses.append(target.address)
        name = name or target.name
    if name and len(name) > MAX_NAME_CHARS:
        raise TargetError(f"name is longer than {MAX_NAME_CHARS} characters")
    if not addresses and not name:
        raise TargetError("no usable field (name, email, phone or slack)")
    return addresses, name


def done_rows(out: Path) -> set[tuple[int, str]]:
    """The rows an earlier run wrote as ``ok``, by line and input; a torn last line is cut off.

    An interrupted run may leave half a line at the end; it is removed so the
    records appended next start on a line of their own.
    """
    if not out.exists():
        return set()
    data = out.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) < len(data):
        log.warning("%s: removing a torn last line left by an interrupted run", out)
        with out.open("r+b") as file:
            file.truncate(len(complete))
    done: set[tuple[int, str]] = set()
    for number, raw in enumerate(complete.splitlines(), start=1):
        try:
            record = json.loads(raw)
        except ValueError:
            log.warning("%s:%d is not JSON; ignored", out, number)
            continue
        if isinstance(record, dict) and record.get("status") == OK:
            done.add((int(record.get("line", 0)), row_key(record.get("input") or {})))
    return done


def row_key(fields: dict[str, str]) -> str:
    """A row's fields as one comparable string (with its line, what identifies a row)."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)
