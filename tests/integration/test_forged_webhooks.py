"""A corpus of forged webhook requests against the real app, the three channels on at once.

Each case is a request an attacker can build without the secrets (or with a
genuine request in hand: replayed, re-cut, re-addressed). Each must be refused
with 401 or 403, store nothing, and make no call to the vendor: no reply, no
profile lookup. The one that got through before is `sms-repeated-body-recut`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from channels.slack.testing.inbound import (
    action_body,
    command_body,
    dm_event,
    event_body,
    signed_headers,
)
from channels.sms.testing import inbound_form
from tests.support.all_channels import (
    PUBLIC_URL,
    TELEGRAM_SECRET,
    AllChannels,
    module_bot_fixture,
)
from tests.support.telegram_updates import callback_update, contact_update, text_update

CUSTOMER = "+15551234567"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
TG = "X-Telegram-Bot-Api-Secret-Token"
TW = "X-Twilio-Signature"


@dataclass(frozen=True)
class Forged:
    """One forged request: where it goes, its body and its headers."""

    path: str
    body: bytes | str
    headers: Any = field(default_factory=dict)
    query: str = ""


Build = Callable[[AllChannels], Forged]


# -- Slack --------------------------------------------------------------------------------

SLACK_EVENT = event_body(dm_event("forged: list today's bookings"))


def now() -> int:
    # Read when a case is built, not at import: the module may run for minutes.
    return int(time.time())


def slack(
    body: str = SLACK_EVENT,
    *,
    sign: str | None = None,
    secret: str = "test-signing-secret",
    timestamp: int | None = None,
    content_type: str = JSON,
    **replace: Any,
) -> Forged:
    """``body`` to /slack/events with the headers of ``sign`` (default: ``body``) signed.

    ``replace`` swaps or drops (None) header values after signing.
    """
    headers: dict[str, Any] = signed_headers(
        body if sign is None else sign,
        secret=secret,
        timestamp=timestamp,
        content_type=content_type,
    )
    for name, value in replace.items():
        key = name.replace("_", "-")
        if value is None:
            headers.pop(key, None)
        else:
            headers[key] = value
    return Forged("/slack/events", body, headers)


def slack_raw_hmac(base: str) -> str:
    return "v0=" + hmac.new(b"test-signing-secret", base.encode(), hashlib.sha256).hexdigest()


def genuine_signature(body: str = SLACK_EVENT) -> str:
    return signed_headers(body)["x-slack-signature"]


SLACK_CASES: dict[str, Build] = {
    "slack-no-signature-headers": lambda b: Forged(
        "/slack/events", SLACK_EVENT, {"content-type": JSON}
    ),
    "slack-missing-signature": lambda b: slack(x_slack_signature=None),
    "slack-missing-timestamp": lambda b: slack(x_slack_request_timestamp=None),
    "slack-wrong-secret": lambda b: slack(secret="another-workspace-secret"),
    "slack-expired-6-minutes": lambda b: slack(timestamp=now() - 6 * 60),
    "slack-replayed-yesterday": lambda b: slack(timestamp=now() - 86_400),
    "slack-timestamp-in-the-future": lambda b: slack(timestamp=now() + 10 * 60),
    "slack-timestamp-not-a-number": lambda b: slack(x_slack_request_timestamp="now"),
    "slack-timestamp-swapped-after-signing": lambda b: slack(
        x_slack_request_timestamp=str(now() - 1)
    ),
    "slack-tampered-body": lambda b: slack(
        SLACK_EVENT.replace("list today", "delete all"), sign=SLACK_EVENT
    ),
    "slack-body-appended": lambda b: slack(SLACK_EVENT + " ", sign=SLACK_EVENT),
    "slack-signature-v1-scheme": lambda b: slack(
        x_slack_signature=genuine_signature().replace("v0=", "v1=")
    ),
    "slack-signature-without-scheme": lambda b: slack(x_slack_signature=genuine_signature()[3:]),
    "slack-signature-empty-digest": lambda b: slack(x_slack_signature="v0="),
    "slack-signature-upper-case": lambda b: slack(x_slack_signature=genuine_signature().upper()),
    "slack-signature-truncated": lambda b: slack(x_slack_signature=genuine_signature()[:-2]),
    "slack-signature-non-ascii": lambda b: slack(
        x_slack_signature=("v0=" + "é" * 64).encode("utf-8")
    ),
    "slack-signature-latin-1": lambda b: slack(x_slack_signature=b"v0=\xe9\xe8\xff"),
    "slack-timestamp-non-ascii": lambda b: slack(x_slack_request_timestamp="１７".encode()),
    "slack-hmac-without-separators": lambda b: slack(
        x_slack_signature=slack_raw_hmac(f"v0{now()}{SLACK_EVENT}"),
        x_slack_request_timestamp=str(now()),
    ),
    "slack-signature-of-empty-body": lambda b: slack(sign=""),
    "slack-command-tampered": lambda b: slack(
        command_body("/enrich", "jane@acme.example", response_url=b.slack.response_url()),
        sign=command_body("/ask", "hours?", response_url=b.slack.response_url()),
        content_type=FORM,
    ),
    "slack-command-wrong-secret": lambda b: slack(
        command_body("/bot-release", "sms:+15551234567", response_url=b.slack.response_url()),
        secret="guessed",
        content_type=FORM,
    ),
    "slack-action-tampered": lambda b: slack(
        action_body("resolve_handoff", "42", response_url=b.slack.response_url()),
        sign=action_body("resolve_handoff", "41", response_url=b.slack.response_url()),
        content_type=FORM,
    ),
    "slack-url-verification-unsigned": lambda b: Forged(
        "/slack/events",
        json.dumps({"type": "url_verification", "challenge": "c", "token": "t"}),
        {"content-type": JSON},
    ),
    "slack-unsigned-text-plain": lambda b: Forged(
        "/slack/events", "hello", {"content-type": "text/plain"}
    ),
}


# -- Telegram -----------------------------------------------------------------------------

TG_UPDATE = json.dumps(text_update(9_001, "forged: hello"))


def telegram(headers: Any, body: str = TG_UPDATE, *, query: str = "") -> Forged:
    return Forged("/telegram/webhook", body, {"content-type": JSON, **headers}, query)


TELEGRAM_CASES: dict[str, Build] = {
    "telegram-no-secret": lambda b: telegram({}),
    "telegram-empty-secret": lambda b: telegram({TG: ""}),
    "telegram-wrong-secret": lambda b: telegram({TG: "wrong-secret"}),
    "telegram-secret-prefix": lambda b: telegram({TG: TELEGRAM_SECRET[:-1]}),
    "telegram-secret-suffix": lambda b: telegram({TG: TELEGRAM_SECRET + "x"}),
    "telegram-secret-upper-case": lambda b: telegram({TG: TELEGRAM_SECRET.upper()}),
    "telegram-secret-percent-encoded": lambda b: telegram(
        {TG: TELEGRAM_SECRET.replace("_", "%5F")}
    ),
    "telegram-secret-non-ascii": lambda b: telegram({TG: "sécret_webhook-token".encode()}),
    "telegram-secret-latin-1": lambda b: telegram({TG: b"s3cret\xe9webhook-token"}),
    "telegram-secret-in-another-header": lambda b: telegram(
        {"X-Telegram-Secret-Token": TELEGRAM_SECRET}
    ),
    "telegram-secret-in-query": lambda b: telegram({}, query=f"secret_token={TELEGRAM_SECRET}"),
    "telegram-secret-as-bearer": lambda b: telegram({"Authorization": f"Bearer {TELEGRAM_SECRET}"}),
    "telegram-bot-token-as-secret": lambda b: telegram({TG: b.telegram.token}),
    "telegram-slack-signature-instead": lambda b: telegram(signed_headers(TG_UPDATE)),
    "telegram-wrong-secret-first-of-two": lambda b: Forged(
        "/telegram/webhook",
        TG_UPDATE,
        [("content-type", JSON), (TG, "wrong"), (TG, TELEGRAM_SECRET)],
    ),
    "telegram-callback-unsigned": lambda b: telegram(
        {}, json.dumps(callback_update(9_002, "resolve_handoff|1"))
    ),
    "telegram-contact-link-unsigned": lambda b: telegram(
        {TG: "guess"}, json.dumps(contact_update(9_003, CUSTOMER))
    ),
    "telegram-command-unsigned": lambda b: telegram({}, json.dumps(text_update(9_004, "/start"))),
    "telegram-wrong-secret-form-body": lambda b: Forged(
        "/telegram/webhook", "update_id=1&text=hi", {TG: "nope", "content-type": FORM}
    ),
    "telegram-wrong-secret-text-plain": lambda b: Forged(
        "/telegram/webhook", TG_UPDATE, {TG: "nope", "content-type": "text/plain"}
    ),
    "telegram-wrong-secret-empty-body": lambda b: telegram({TG: "nope"}, ""),
    "telegram-another-bots-secret": lambda b: telegram({TG: "Zx9_another-bot-secret"}),
}


# -- SMS (Twilio) -------------------------------------------------------------------------

SMS_FORM = inbound_form("forged: send me the booking", sender=CUSTOMER, sid="SM" + "f" * 32)
STATUS_FORM = {"MessageSid": "SM" + "e" * 32, "MessageStatus": "delivered"}


def sms(
    fields: Any,
    *,
    signed: Any = None,
    path: str = "/sms/inbound",
    url: str | None = None,
    token: str | None = None,
) -> Build:
    """``fields`` posted to ``path``, signed as Twilio signs ``signed`` (default ``fields``).

    ``url`` is the URL signed (default: the public one), ``token`` another auth token.
    A list value is a repeated field, signed as Twilio signs one (each value in turn).
    """

    def build(b: AllChannels) -> Forged:
        validator = RequestValidator(token or b.twilio.auth_token)
        form = _multi(fields if signed is None else signed)
        header = validator.compute_signature(url or PUBLIC_URL + path, form)
        return Forged(path, urlencode(fields, doseq=True), {TW: header, "content-type": FORM})

    return build


def _multi(fields: dict[str, Any]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict(
        [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    )


def sms_headers(headers: Any, body: Any = None, path: str = "/sms/inbound") -> Build:
    return lambda b: Forged(path, urlencode(SMS_FORM) if body is None else body, headers)


RECUT = {**SMS_FORM, "Body": "hi Bodythere"}  # genuine, and signed as "Bodyhi Bodythere"


SMS_CASES: dict[str, Build] = {
    "sms-unsigned": sms_headers({"content-type": FORM}),
    "sms-empty-signature": sms_headers({TW: "", "content-type": FORM}),
    "sms-garbage-signature": sms_headers({TW: "Zm9yZ2Vk", "content-type": FORM}),
    "sms-another-accounts-token": sms(SMS_FORM, token="another-auth-token"),
    "sms-signed-for-the-local-url": sms(SMS_FORM, url="http://127.0.0.1:8000/sms/inbound"),
    "sms-signed-for-http": sms(SMS_FORM, url="http://bot.example.test/sms/inbound"),
    "sms-signed-for-another-host": sms(SMS_FORM, url="https://evil.example/sms/inbound"),
    "sms-signed-for-the-status-path": sms(SMS_FORM, url=PUBLIC_URL + "/sms/status"),
    "sms-signed-with-a-query": sms(SMS_FORM, url=PUBLIC_URL + "/sms/inbound?x=1"),
    "sms-tampered-body": sms({**SMS_FORM, "Body": "STOP"}, signed=SMS_FORM),
    "sms-tampered-sender": sms({**SMS_FORM, "From": "+15559999999"}, signed=SMS_FORM),
    "sms-added-field": sms({**SMS_FORM, "ProfileName": "Mallory"}, signed=SMS_FORM),
    "sms-removed-field": sms({k: v for k, v in SMS_FORM.items() if k != "To"}, signed=SMS_FORM),
    # Twilio's signature joins a key with each of its values: Body=["hi ", "there"]
    # signs as "Bodyhi Bodythere", exactly the genuine Body "hi Bodythere".
    "sms-repeated-body-recut": sms({**SMS_FORM, "Body": ["hi ", "there"]}, signed=RECUT),
    "sms-repeated-body-signed-as-sent": sms({**SMS_FORM, "Body": ["a", "b"]}),
    "sms-repeated-sender": sms({**SMS_FORM, "From": [CUSTOMER, "+15559999999"]}),
    "sms-repeated-message-sid": sms({**SMS_FORM, "MessageSid": ["SM1", "SM2"]}),
    "sms-signature-non-ascii": sms_headers({TW: "é".encode() * 14, "content-type": FORM}),
    "sms-signature-latin-1": sms_headers({TW: b"\xe9\xff\xfe=", "content-type": FORM}),
    "sms-json-body-forged": sms_headers(
        {TW: "Zm9yZ2Vk", "content-type": JSON}, json.dumps(SMS_FORM)
    ),
    "sms-text-plain-forged": sms_headers({TW: "Zm9yZ2Vk", "content-type": "text/plain"}, "hi"),
    "sms-invalid-utf8-forged": sms_headers({TW: "Zm9yZ2Vk", "content-type": FORM}, b"\xff\xfe"),
    "sms-status-unsigned": sms_headers(
        {"content-type": FORM}, urlencode(STATUS_FORM), "/sms/status"
    ),
    "sms-status-tampered": sms(
        {**STATUS_FORM, "MessageStatus": "failed"}, signed=STATUS_FORM, path="/sms/status"
    ),
    "sms-status-repeated-status": sms(
        {**STATUS_FORM, "MessageStatus": ["delivered", "failed"]}, path="/sms/status"
    ),
    "sms-inbound-replayed-to-status": lambda b: Forged(
        "/sms/status", urlencode(SMS_FORM), {TW: b.signer.sign("/sms/inbound", SMS_FORM)}
    ),
}

CASES: dict[str, Build] = {**SLACK_CASES, **TELEGRAM_CASES, **SMS_CASES}


bot = module_bot_fixture("forged")


def test_the_corpus_has_at_least_20_cases_per_channel():
    assert min(len(SLACK_CASES), len(TELEGRAM_CASES), len(SMS_CASES)) >= 20
    assert len(CASES) >= 60


@pytest.mark.asyncio(loop_scope="module")  # the module's one app
@pytest.mark.parametrize("case", list(CASES))
async def test_a_forged_request_is_refused_stores_nothing_and_sends_nothing(
    bot: AllChannels, case: str, caplog: pytest.LogCaptureFixture
):
    before = await bot.snapshot()
    forged = CASES[case](bot)
    url = forged.path + (f"?{forged.query}" if forged.query else "")

    response = await bot.http.post(url, content=forged.body, headers=forged.headers)

    assert response.status_code in (401, 403), response.text
    assert response.json()["error"]
    await bot.settle()
    after = await bot.snapshot()
    assert after.rows == before.rows
    assert after.vendor_calls == before.vendor_calls
    assert not [r for r in caplog.records if r.exc_info and r.levelname == "ERROR"]
