"""A text Twilio posted to ``/sms/inbound`` as an `IncomingMessage`, its keywords read.

Carrier keywords are the words that opt a number out of SMS, back in, or ask for help.
US carriers (CTIA) and Twilio's default Advanced Opt-Out treat a message that is
exactly one of these words (trimmed, any case) as a request about the
subscription, not as conversation: "Stop texting me at night" is a message,
"stop" is an opt-out. Twilio itself blocks sends to a number that texted STOP
(error 21610) and confirms STOP and START to the person, so the bot records
the state and stays silent on both.
"""

from __future__ import annotations

import re

from channels.base import HELP_COMMAND, OPT_IN_COMMAND, OPT_OUT_COMMAND, Address, IncomingMessage
from channels.sms.verify import Form, WebhookRejected, required
from channels.text import parse_command

CHANNEL = "sms"
#: Twilio joins a long SMS into one ``Body`` of at most 1,600 characters: a longer one
#: is not Twilio's, and would otherwise be refused only after it was stored.
MAX_BODY_LENGTH = 1600
#: A sender an SMS can come from and be answered at: E.164 or a short code.
_PHONE = re.compile(r"\+?[0-9]{3,15}")

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


def incoming_sms(form: Form) -> IncomingMessage:
    """The message of an inbound webhook's form; `WebhookRejected` (400) when it is malformed."""
    sender = required(form, "From")
    sid = required(form, "MessageSid")
    body = form.get("Body", "")
    if not _PHONE.fullmatch(sender):
        raise WebhookRejected(400, "From is not a phone number")
    if len(body) > MAX_BODY_LENGTH:
        raise WebhookRejected(400, f"Body is over {MAX_BODY_LENGTH} characters")
    command, arguments = sms_command(body)
    return IncomingMessage(
        channel=CHANNEL,
        sender=Address("phone", sender),
        conversation_key=sender,
        text=body,
        external_id=sid,
        command=command,
        arguments=arguments,
        extras={"to": form.get("To", ""), "num_media": form.get("NumMedia", "0")},
    )
