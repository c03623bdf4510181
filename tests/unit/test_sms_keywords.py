"""Carrier keywords (channels/sms/inbound.py): whole message, trimmed, any case."""

from __future__ import annotations

import pytest

from channels.base import HELP_COMMAND, OPT_IN_COMMAND, OPT_OUT_COMMAND
from channels.sms.inbound import keyword_command, sms_command


@pytest.mark.parametrize(
    "body", ["STOP", "stop", " Stop ", "STOPALL", "unsubscribe", "Cancel", "END", "quit\n"]
)
def test_opt_out_keywords(body: str):
    assert keyword_command(body) == OPT_OUT_COMMAND


@pytest.mark.parametrize("body", ["START", "start", " Unstop "])
def test_opt_in_keywords(body: str):
    assert keyword_command(body) == OPT_IN_COMMAND


@pytest.mark.parametrize("body", ["HELP", "help", "  Help\t"])
def test_help_keyword(body: str):
    assert keyword_command(body) == HELP_COMMAND


@pytest.mark.parametrize(
    "body",
    [
        "Stop texting me at night",
        "please stop",
        "I want to cancel my booking",
        "help me choose a room",
        "STOP STOP",
        "",
        "yes",
        "info",
    ],
)
def test_a_keyword_inside_a_sentence_is_conversation(body: str):
    assert keyword_command(body) is None


def test_a_slash_command_is_a_command_with_its_arguments_and_a_keyword_stays_one():
    assert sms_command(" /help ") == ("help", "")
    assert sms_command("/ask Do you do weddings?") == ("ask", "Do you do weddings?")
    assert sms_command("HELP") == (HELP_COMMAND, "")
    assert sms_command("I need help / advice") == (None, "")
