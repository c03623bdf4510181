"""``bot bookings import`` and ``bot bookings list`` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from bot.testing.processes import ROOT
from tests.support.cli import bot_env, run_bot

SAMPLE = ROOT / "bot" / "sample" / "bookings.yml"


def test_the_sample_bookings_import_once_and_list_by_day(tmp_path: Path):
    env = bot_env(tmp_path, BUSINESS_TIME_ZONE="America/Los_Angeles")

    first = run_bot(["bookings", "import", str(SAMPLE)], env, tmp_path)
    again = run_bot(["bookings", "import", str(SAMPLE)], env, tmp_path)
    today = run_bot(["bookings", "list"], env, tmp_path)
    tomorrow = run_bot(["bookings", "list", "--date", "tomorrow"], env, tmp_path)
    month = run_bot(["bookings", "list", "--days", "31", "--json"], env, tmp_path)

    for result in (first, again, today, tomorrow, month):
        assert result.returncode == 0, result.stderr
    assert first.stdout.startswith("4 bookings created, 0 updated")
    assert again.stdout.startswith("0 bookings created, 4 updated")  # by reference: no duplicate
    assert "1 booking on" in today.stdout and "(America/Los_Angeles)" in today.stdout
    assert "HH-1043" in today.stdout and "Marcus Lee" in today.stdout
    assert "HH-1042" not in today.stdout
    assert "HH-1042" in tomorrow.stdout and "18:00" in tomorrow.stdout
    rows = [json.loads(line) for line in month.stdout.splitlines()]
    assert [row["reference"] for row in rows] == ["HH-1043", "HH-1042", "HH-1051", "HH-1052"]
    assert rows[1]["contact_name"] == "Dana Whitfield" and rows[1]["guests"] == 12


def test_a_bad_file_is_one_line_naming_the_row(tmp_path: Path):
    bad = tmp_path / "bookings.csv"
    bad.write_text("reference,phone,event_date,guests\nHH-7,+14155550100,2026-12-01,4\n")

    result = run_bot(["bookings", "import", str(bad)], bot_env(tmp_path), tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: bookings.csv line 2, booking 1: reference must look like HH-1042, got 'HH-7'"
    ]
