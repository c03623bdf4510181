"""Carrier keywords: the words that opt a number out of SMS, back in, or ask for help.

US carriers (CTIA) and Twilio's default Advanced Opt-Out treat a message that is
exactly one of these words (trimmed, any case) as a request about the
subscription, not as conversation: "Stop texting me at night" is a message,
"stop" is an opt-out. Twilio itself blocks sends to a number that texted STOP
(error 21610) and confirms STOP and START to the person, so the bot records
the state and stays silent on both.
"""

from __future__ import annotations

from channels.base import HELP_COMMAND, OPT_IN_COMMAND, OPT_OUT_COMMAND
from channels.text import parse_command

OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP"})

_COMMANDS = {
    **dict.fromkeys(OPT_OUT_KEYWORDS, OPT_OUT_COMMAND),
    **dict.fromkeys(OPT_IN_KEYWORDS, OPT_IN_COMMAND),
    **dict.fromkeys(HELP_KEYWORDS, HELP_COMMAND),
}


def keyword_command(body: str) -> str | None:
    """The command a whole-message keyword stands for (``opt-out``, ``opt-in``, ``help``)."""
    return _COMMANDS.get(body.strip().upper())


def sms_command(body: str) -> tuple[str | None, str]:
    """The command a text names and its arguments: a carrier keyword (``STOP``), or a
    ``/command`` read as on every channel (`channels.text.parse_command`), so a
    customer's ``/help`` is the bot's help and an unknown ``/foo`` gets the list."""
    keyword = keyword_command(body)
    if keyword is not None:
        return keyword, ""
    parsed = parse_command(body)
    return parsed if parsed is not None else (None, "")
