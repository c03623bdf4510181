"""The SMS channel's small parts: rendering, the redirecting HTTP client, form parsing."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from channels.base import Card, CardAction, CardField, OutgoingMessage
from channels.sms.outbound import _rate_limit_wait, masked
from channels.sms.render import render_sms
from channels.sms.twilio_http import RedirectingTwilioHttpClient, last_retry_after
from channels.sms.verify import TwilioWebhook, WebhookRejected, parse_form

TWILIO_URL = "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"


def test_a_card_renders_as_short_plain_text_without_buttons():
    card = Card(
        title="Booking confirmed",
        fields=(CardField("When", "Fri 7 pm"), CardField("Guests", "4")),
        actions=(CardAction("cancel", "Cancel booking"),),
    )

    body = render_sms(OutgoingMessage("  See you soon!  ", card=card))

    assert body == "See you soon!\n\nBooking confirmed\nWhen: Fri 7 pm\nGuests: 4"


def test_rendering_cuts_at_the_limit_with_a_gsm7_ellipsis():
    body = render_sms(OutgoingMessage("We open at nine. " * 20), limit=100)

    assert len(body) <= 100
    assert body.endswith("...")


async def test_the_http_client_sends_to_the_configured_host():
    client = RedirectingTwilioHttpClient("http://127.0.0.1:8099/")
    prefixed = RedirectingTwilioHttpClient("https://gateway.internal/twilio")
    try:
        assert client.redirect(TWILIO_URL) == (
            "http://127.0.0.1:8099/2010-04-01/Accounts/AC123/Messages.json"
        )
        assert prefixed.redirect(TWILIO_URL + "?PageSize=20") == (
            "https://gateway.internal/twilio/2010-04-01/Accounts/AC123/Messages.json?PageSize=20"
        )
    finally:
        await client.close()
        await prefixed.close()


async def test_the_http_client_needs_an_absolute_url():
    with pytest.raises(ValueError, match="absolute URL"):
        RedirectingTwilioHttpClient("api.example.com")


def test_a_429_waits_as_told_or_a_second_and_nothing_else_is_retried():
    too_many = TwilioRestException(429, TWILIO_URL, "Too Many Requests", 20429, "POST")
    refused = TwilioRestException(400, TWILIO_URL, "bad To", 21211, "POST")

    last_retry_after.set(None)
    assert _rate_limit_wait(too_many) == 1.0
    last_retry_after.set(2.5)
    assert _rate_limit_wait(too_many) == 2.5
    assert _rate_limit_wait(refused) is None
    assert _rate_limit_wait(TimeoutError()) is None


def test_parse_form_keeps_repeated_fields_and_blank_values():
    form = parse_form(b"Body=&MediaUrl0=a&MediaUrl0=b&From=%2B15551234567")

    assert form["Body"] == ""
    assert form.getlist("MediaUrl0") == ["a", "b"]
    assert form["From"] == "+15551234567"


@pytest.mark.parametrize("body", [b"\xff\xfe", b"just words", b'{"From": "+1555"}'])
def test_a_body_that_is_not_a_form_is_a_400(body: bytes):
    with pytest.raises(WebhookRejected) as rejected:
        parse_form(body)

    assert rejected.value.status == 400


def test_the_signed_url_is_the_public_one_with_the_query():
    webhook = TwilioWebhook(public_url="https://bot.example.com/", validator=None)

    assert webhook.signed_url("/sms/inbound") == "https://bot.example.com/sms/inbound"
    assert webhook.signed_url("/sms/status", "a=1") == "https://bot.example.com/sms/status?a=1"


def test_phone_numbers_are_masked_in_logs():
    assert masked("+15551234567") == "…4567"
    assert masked("123") == "…"
