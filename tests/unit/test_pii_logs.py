"""Log records carry no phone numbers, e-mails or card numbers once masking is installed."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from agents.privacy.log_masking import install_log_masking, uninstall_log_masking

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
