"""An `OutgoingMessage` as the body of one SMS: plain text, GSM-7 where it can be."""

from __future__ import annotations

from channels.base import OutgoingMessage
from channels.sms.segments import smart_encode
from channels.text import shorten

#: Twilio refuses a body longer than this (error 21617); carriers split it into segments.
MAX_BODY_CHARS = 1600


def render_sms(message: OutgoingMessage, *, limit: int = MAX_BODY_CHARS) -> str:
    """The SMS body for ``message``: its text, then its card as short plain text.

    Buttons have no SMS form and are left out. Typographic punctuation is
    replaced by GSM-7 look-alikes (one curly quote would make the whole
    message UCS-2, more than doubling its segments), and the result is cut at
    a sentence or word end to ``limit`` characters, marked with a GSM-7 "...".
    """
    pieces = [message.text.strip()]
    if message.card is not None:
        pieces.append(message.card.as_text().strip())
    body = smart_encode("\n\n".join(piece for piece in pieces if piece))
    return shorten(body, limit, ellipsis="...")
