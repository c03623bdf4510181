"""Reading bookings from the business's own records: a YAML or CSV file.

One booking per YAML item (a list, or a mapping with a ``bookings`` list) or
CSV row (with a header). Fields: ``reference``, ``event_date``, ``guests``
(required), ``name``, ``phone``, ``email`` (at least one of phone and e-mail,
so the booking reaches the customer who writes in), ``start_time`` (HH:MM),
``package``, ``location``, ``status`` (confirmed by default), ``notes``.

``event_date`` is ``YYYY-MM-DD``, or ``today``, ``today+3``, ``today-1``:
relative dates keep a demo's bookings current (the sample business uses them).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from memory.addresses import EMAIL, PHONE
from memory.booking_records import (
    CONFIRMED,
    REFERENCE,
    STATUSES,
    BookingError,
    BookingRecord,
    normalise_reference,
)

_RELATIVE = re.compile(r"^today\s*(?:([+-])\s*(\d{1,4}))?$", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class BookingFileError(BookingError, ValueError):
    """A bookings file that cannot be read; the message names the row and field."""


def read_booking_file(path: Path, *, today: date) -> list[BookingRecord]:
    """The bookings in ``path`` (``.yml``/``.yaml`` or ``.csv``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BookingFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if suffix in {".yml", ".yaml"}:
        rows, lines = _yaml_rows(text, path)
    elif suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows, lines = [], []
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    else:
        raise BookingFileError(f"{path}: expected a .yml, .yaml or .csv file")
    records = [
        _record(row, f"{path.name} line {line}, booking {n}", today)
        for n, (row, line) in enumerate(zip(rows, lines, strict=True), 1)
    ]
    seen: set[str] = set()
    for record in records:
        if record.reference in seen:
            raise BookingFileError(f"{path.name}: reference {record.reference} appears twice")
        seen.add(record.reference)
    return records


class _TextDates(yaml.SafeLoader):
    """YAML without its date type: ``2026-13-05`` is text that `_date` refuses by line,
    not a ``ValueError`` from inside the YAML reader."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_rows(text: str, path: Path) -> tuple[list[Mapping[str, Any]], list[int]]:
    """The bookings and the line each starts on."""
    try:
        node = yaml.compose(text, Loader=_TextDates)
        data = yaml.load(text, Loader=_TextDates)  # a SafeLoader
    except yaml.YAMLError as exc:
        raise BookingFileError(f"{path.name} is not valid YAML: {exc}") from exc
    if isinstance(data, Mapping):
        data = data.get("bookings")
        node = next((v for k, v in getattr(node, "value", []) if k.value == "bookings"), None)
    if not isinstance(data, list) or not all(isinstance(row, Mapping) for row in data):
        raise BookingFileError(f"{path.name}: expected a list of bookings (or bookings: [...])")
    lines = [item.start_mark.line + 1 for item in getattr(node, "value", ())]
    return data, lines


def _record(row: Mapping[str, Any], where: str, today: date) -> BookingRecord:
    values = {str(k).strip().lower(): v for k, v in row.items() if k is not None}

    def text(name: str) -> str | None:
        value = values.get(name)
        return None if value is None or str(value).strip() == "" else str(value).strip()

    reference = text("reference")
    if reference is None or not REFERENCE.fullmatch(reference):
        raise BookingFileError(f"{where}: reference must look like HH-1042, got {reference!r}")
    where = f"{where} ({normalise_reference(reference)})"
    addresses = tuple((kind, v) for kind in (PHONE, EMAIL) if (v := text(kind)) is not None)
    if not addresses:
        raise BookingFileError(f"{where}: give a phone or an email for the customer")
    status = (text("status") or CONFIRMED).lower()
    if status not in STATUSES:
        raise BookingFileError(f"{where}: status must be one of {', '.join(sorted(STATUSES))}")
    return BookingRecord(
        reference=normalise_reference(reference),
        event_date=_date(values.get("event_date"), where, today),
        guests=_guests(text("guests"), where),
        addresses=addresses,
        name=text("name"),
        start_time=_time(values.get("start_time"), where),
        package=text("package"),
        location=text("location"),
        status=status,
        notes=text("notes"),
    )


def _date(value: Any, where: str, today: date) -> date:
    if isinstance(value, date):  # YAML reads 2026-12-05 as a date already
        return value
    raw = "" if value is None else str(value).strip()
    relative = _RELATIVE.match(raw)
    if relative:
        sign, days = relative.groups()
        offset = int(days or 0) * (-1 if sign == "-" else 1)
        return today + timedelta(days=offset)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BookingFileError(
            f"{where}: event_date must be YYYY-MM-DD or today+N, got {raw!r}"
        ) from None


def _guests(value: str | None, where: str) -> int:
    try:
        guests = int(value or "")
    except ValueError:
        raise BookingFileError(f"{where}: guests must be a whole number, got {value!r}") from None
    if guests < 1:
        raise BookingFileError(f"{where}: guests must be at least 1")
    return guests


def _time(value: Any, where: str) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 18:00 as the base-60 number 1080.
        value = f"{value // 60}:{value % 60:02d}"
    if value is None or str(value).strip() == "":
        return None
    value = str(value).strip()
    found = _TIME.match(value)
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        raise BookingFileError(f"{where}: start_time must be HH:MM (24-hour), got {value!r}")
    return f"{int(found[1]):02d}:{found[2]}"
