"""`TwilioConfig`: what the SMS adapter needs, read by the bot from its settings."""

from __future__ import annotations

from dataclasses import dataclass

TWILIO_API_BASE_URL = "https://api.twilio.com"


@dataclass(frozen=True, slots=True)
class TwilioConfig:
    """The Twilio account, the sending number and the public URL Twilio calls."""

    account_sid: str
    auth_token: str
    #: The public base URL Twilio was given (``https://bot.example.com``): signatures
    #: are computed over it, since behind a proxy ``request.url`` is not what Twilio saw.
    public_url: str
    #: Send from this number (E.164) ...
    from_number: str | None = None
    #: ... or through this messaging service (``MG...``); one of the two is required.
    messaging_service_sid: str | None = None
    #: Another Messages API host (tests' fake); the SDK fixes Twilio's own.
    api_base_url: str = TWILIO_API_BASE_URL
    #: The business's contact line, the answer to HELP.
    help_text: str = "Reply STOP to opt out."
    verify_requests: bool = True
