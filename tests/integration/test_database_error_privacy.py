"""A database error names no customer: not in its text, not in a logged traceback."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from agents.privacy.log_masking import install_log_masking, uninstall_log_masking
from memory.db import Database
from memory.models import Contact

NAME = "Margarethe Quellenberg-Oyelaran"
log = logging.getLogger("tests.db_privacy")


@pytest.fixture
def masking() -> Iterator[None]:
    install_log_masking()
    try:
        yield
    finally:
        uninstall_log_masking()


async def test_statement_parameters_are_hidden(database: Database):
    # A contact merged into one that does not exist: a foreign key error with the
    # name among the statement's parameters.
    with pytest.raises(IntegrityError) as caught:
        async with database.transaction() as session:
            session.add(Contact(display_name=NAME, merged_into_id=987_654_321))

    whole = "".join(traceback.format_exception(caught.value))
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(caught.value)
    assert NAME not in whole


async def test_row_values_quoted_by_the_database_are_not_logged(
    database: Database, masking: None, caplog: pytest.LogCaptureFixture
):
    # PostgreSQL quotes the whole row ("Failing row contains (…, Margarethe …)")
    # in a not-null violation's DETAIL; asyncpg puts that in the error's text.
    insert = text(
        "INSERT INTO contacts (display_name, created_at, facts) VALUES (:name, :at, NULL)"
    )
    with caplog.at_level(logging.ERROR, logger="tests.db_privacy"):
        try:
            async with database.transaction() as session:
                await session.execute(insert, {"name": NAME, "at": datetime.now(UTC)})
        except IntegrityError as exc:
            log.exception("storing the contact failed: %s", exc)

    assert "storing the contact failed" in caplog.text
    assert "facts" in caplog.text  # the error itself is still told: which column
    assert NAME not in caplog.text
    if database.dialect == "postgresql":
        assert "Failing row contains [VALUES]" in caplog.text
