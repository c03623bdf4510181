"""Errors a person can act on (issue 17 §6): one line naming the setting, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import bot_env, run_bot
from tests.support.postgres import postgres_url


@pytest.fixture
def pg() -> str:
    """The test PostgreSQL's URL (skips without one; fails under CI=true)."""
    return postgres_url()


def one_line(result) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def ask(tmp_path: Path, url: str):
    env = bot_env(tmp_path, AI_PROVIDER="function:tests.support.replies:priced", DATABASE_URL=url)
    return run_bot(["ask", "hi"], env, tmp_path)


def test_a_sqlite_file_that_cannot_be_opened(tmp_path):
    line = one_line(ask(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/bot.db"))

    assert line.startswith("error: DATABASE_URL=sqlite+aiosqlite:///")
    assert "cannot be opened" in line


def test_a_file_that_is_not_a_database(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database, just words " * 100)

    line = one_line(ask(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/notes.txt"))

    assert "DATABASE_URL" in line and "not a SQLite database" in line


def test_connection_refused_names_database_url_and_hides_the_password(tmp_path):
    line = one_line(ask(tmp_path, "postgresql+asyncpg://bot:s3cret@127.0.0.1:9/bot"))

    assert line.startswith("error: DATABASE_URL=postgresql+asyncpg://bot:***@127.0.0.1:9/bot")
    assert "cannot connect" in line and "s3cret" not in line


def test_a_postgresql_role_that_does_not_exist(tmp_path, pg):
    host = pg.split("@", 1)[1]
    line = one_line(ask(tmp_path, f"postgresql+asyncpg://no_such_role_17@{host}"))

    assert 'role "no_such_role_17" does not exist' in line and "DATABASE_URL" in line


def test_a_postgresql_database_that_does_not_exist(tmp_path, pg):
    base = pg.rsplit("/", 1)[0]
    line = one_line(ask(tmp_path, f"{base}/no_such_db_17"))

    assert 'database "no_such_db_17" does not exist' in line and "DATABASE_URL" in line


def test_an_invalid_date_in_a_yaml_bookings_file_names_its_line(tmp_path):
    bookings = tmp_path / "bookings.yml"
    bookings.write_text(
        "bookings:\n"
        "  - {reference: HH-1042, event_date: 2026-12-05, guests: 4, phone: '+14155550100'}\n"
        "  - reference: HH-1043\n"
        "    event_date: 2026-13-05\n"
        "    guests: 20\n"
        "    phone: '+14155550101'\n"
    )

    line = one_line(run_bot(["bookings", "import", str(bookings)], bot_env(tmp_path), tmp_path))

    assert line == (
        "error: bookings.yml line 3, booking 2 (HH-1043): "
        "event_date must be YYYY-MM-DD or today+N, got '2026-13-05'"
    )
