"""Log records carry no phone numbers, e-mails or card numbers once masking is installed."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest
from uvicorn.logging import AccessFormatter

from agents.privacy.log_masking import install_log_masking, mask_log_text, uninstall_log_masking

log = logging.getLogger("tests.privacy")


@pytest.fixture
def masking() -> Iterator[None]:
    install_log_masking()
    install_log_masking()  # idempotent: one layer only
    try:
        yield
    finally:
        uninstall_log_masking()


def test_messages_and_arguments_are_masked(masking: None, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="tests.privacy"):
        log.info("new contact %s <%s>", "+1 (415) 555-0142", "jane@acme.com")
        log.warning("card on file: 4111 1111 1111 1111 for booking HH-1042")

    first, second = caplog.records
    assert first.getMessage() == "new contact [PHONE] <[EMAIL]>"
    assert second.getMessage() == "card on file: [CARD] for booking HH-1042"
    assert "555-0142" not in caplog.text and "jane@" not in caplog.text


def test_tracebacks_are_masked(masking: None, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.ERROR, logger="tests.privacy"):
        try:
            raise ValueError("not a valid address: jane@acme.com")
        except ValueError:
            log.exception("resolving failed")

    assert "jane@acme.com" not in caplog.text
    assert "not a valid address: [EMAIL]" in caplog.text


def test_without_masking_records_are_untouched(caplog: pytest.LogCaptureFixture):
    uninstall_log_masking()  # nothing installed: a no-op
    with caplog.at_level(logging.INFO, logger="tests.privacy"):
        log.info("raw %s", "jane@acme.com")

    assert caplog.records[0].getMessage() == "raw jane@acme.com"


def test_uvicorn_access_lines_keep_their_arguments(masking: None, capsys: pytest.CaptureFixture):
    # uvicorn's own formatter, fed as uvicorn's protocols log a request.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    access = logging.getLogger("tests.privacy.access")
    access.addHandler(handler)
    access.propagate = False
    try:
        access.warning(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5123",
            "GET",
            "/healthz?phone=%2B14155550101&email=jane.doe%40example.com",
            "1.1",
            200,
        )
    finally:
        access.removeHandler(handler)

    err = capsys.readouterr().err
    assert err == '127.0.0.1:5123 - "GET /healthz?phone=[PHONE]&email=[EMAIL] HTTP/1.1" 200 OK\n'


def test_arguments_are_masked_in_place(masking: None):
    tupled = log.makeRecord(
        "t", logging.INFO, "f", 1, "%s wrote %d words", ("jane@acme.com", 3), None
    )
    mapped = log.makeRecord("t", logging.INFO, "f", 1, "%(who)s", ({"who": "+14155550101"},), None)

    assert tupled.args == ("[EMAIL]", 3)
    assert mapped.args == {"who": "[PHONE]"}
    assert mapped.getMessage() == "[PHONE]"


def test_an_object_argument_is_masked_as_str_and_repr(masking: None):
    error = ValueError("bad phone +1 415 555 0142")
    record = log.makeRecord("t", logging.INFO, "f", 1, "%s / %r", (error, error), None)

    assert record.getMessage() == "bad phone [PHONE] / ValueError('bad phone [PHONE]')"
    assert isinstance(record.args, tuple) and len(record.args) == 2


def test_a_value_split_across_arguments_falls_back_to_the_masked_message(masking: None):
    split = log.makeRecord("t", logging.INFO, "f", 1, "%s%s", ("+1415", "5550142"), None)
    as_int = log.makeRecord("t", logging.INFO, "f", 1, "call %d", (14155550142,), None)

    assert (split.msg, split.args, split.getMessage()) == ("[PHONE]", (), "[PHONE]")
    assert as_int.getMessage() == "call [PHONE]"


@pytest.mark.parametrize(
    ("quoted", "redacted"),
    [
        (
            "DETAIL:  Key (lower(name))=(Jane Roe) already exists.",
            "DETAIL:  Key (lower(name))=[VALUES] already exists.",
        ),
        (
            "DETAIL:  Failing row contains (7, Jane Roe, null).",
            "DETAIL:  Failing row contains [VALUES].",
        ),
        (
            'invalid input syntax for type integer: "Jane Roe"',
            "invalid input syntax for type integer: [VALUES]",
        ),
        (
            "invalid input for query argument $1: 'Jane Roe' (an int)",
            "invalid input for query argument $1: [VALUES]",
        ),
        ("[parameters: ('Jane Roe', 3)]", "[parameters: [VALUES]]"),
        (
            "DETAIL:  Key (contact_id)=(12) is not present",
            "DETAIL:  Key (contact_id)=[VALUES] is not present",
        ),
    ],
)
def test_values_quoted_by_database_errors_are_redacted(quoted: str, redacted: str):
    assert mask_log_text(f"IntegrityError\n{quoted}\nnext") == f"IntegrityError\n{redacted}\nnext"


def test_a_unix_time_named_timestamp_is_not_taken_for_a_phone():
    # procrastinate's worker logs "timestamp=1764745200"; a phone given as a value is masked.
    line = "Job tasks.answer[7] started, timestamp=1764745200.25, phone=4155550101"

    assert (
        mask_log_text(line) == "Job tasks.answer[7] started, timestamp=1764745200.25, phone=[PHONE]"
    )
