"""/enrich targets as Slack sends them (escaped) and as everyone else types them."""

from __future__ import annotations

import pytest

from bot.enrich.target import USAGE, Target, TargetError, parse_target, split_flags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Slack, with should_escape: true
        ("<@U123ABC|jane>", Target(address=("slack", "U123ABC"), name="jane")),
        ("<@W0456>", Target(address=("slack", "W0456"))),
        ("<mailto:Jane@Acme.com|Jane@Acme.com>", Target(address=("email", "jane@acme.com"))),
        ("<tel:+15551234567|+1 555 123 4567>", Target(address=("phone", "+15551234567"))),
        # Telegram, the console, the CLI and the API: plain
        ("Jane@Acme.com", Target(address=("email", "jane@acme.com"))),
        ("(555) 123-4567", Target(address=("phone", "+15551234567"))),
        ("+44 20 7946 0958", Target(address=("phone", "+442079460958"))),
        ("@U123ABC", Target(address=("slack", "U123ABC"))),
        ("slack:U123ABC", Target(address=("slack", "U123ABC"))),
        ("phone:555-123-4567", Target(address=("phone", "+15551234567"))),
        ("#42", Target(contact_id=42)),
        ("  Jane   Doe ", Target(name="Jane Doe")),
        ("@jane", Target(name="jane")),
        ("Smith &amp; Sons", Target(name="Smith & Sons")),  # Slack escapes & too
    ],
)
def test_targets_read_the_same_escaped_or_plain(text: str, expected: Target):
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", USAGE),
        ("   ", USAGE),
        ("jane@acme", "not an e-mail address"),
        ("<mailto:not-an-address|x>", "not an e-mail address"),
        ("+1 555", "phone"),
        ("<#C123|general>", "needs a person"),
        ("<https://example.com|a link>", "needs a person"),
    ],
)
def test_bad_targets_say_why(text: str, message: str):
    with pytest.raises(TargetError) as caught:
        parse_target(text)
    assert message.lower() in str(caught.value).lower()


def test_a_phone_reads_in_the_configured_region():
    assert parse_target("020 7946 0958", default_region="GB").address == ("phone", "+442079460958")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("jane@acme.com --refresh", ("jane@acme.com", True)),
        ("--refresh Jane Doe", ("Jane Doe", True)),
        ("Jane Doe", ("Jane Doe", False)),
        ("jane@acme.com —refresh", ("jane@acme.com", True)),  # Slack's smart dash
    ],
)
def test_refresh_flag_anywhere(arguments: str, expected: tuple[str, bool]):
    assert split_flags(arguments) == expected


def test_describe_says_who_as_typed():
    assert Target(address=("email", "jane@acme.com")).describe() == "jane@acme.com"
    assert Target(address=("slack", "U1")).describe() == "slack:U1"
    assert Target(name="Jane").describe() == "Jane"
    assert Target(contact_id=3).describe() == "contact #3"
