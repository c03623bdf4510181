"""A corpus of signed but malformed webhook requests against the real app, three channels on.

Each request carries a valid signature or secret, so only its content is
wrong. Whatever it is, the answer is never a 500 and the logs never hold a
traceback. Each case expects one of:

- ``dropped``: refused and logged in one line, nothing stored, nothing sent:
  a 4xx on Slack and SMS; a 200 on Telegram, which re-sends anything else for
  a day (a poison update);
- ``ignored``: acknowledged (2xx), nothing stored, nothing sent: a kind of
  request the bot has nothing to do with (an unknown event, a bot's message);
- ``cleaned``: NUL or lone surrogates removed, stored and answered as usual.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import select
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from channels.slack.testing.inbound import (
    command_body,
    dm_event,
    event_body,
    mention_event,
    signed_headers,
)
from channels.sms.testing import inbound_form
from memory.models import Contact, Identity, Message
from tests.support.all_channels import (
    PUBLIC_URL,
    TELEGRAM_SECRET,
    AllChannels,
    module_bot_fixture,
)
from tests.support.telegram_updates import text_update, user

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
CUSTOMER = "+15551234567"
TG = "X-Telegram-Bot-Api-Secret-Token"
HUGE = 2 * 1024 * 1024
_ids = itertools.count(1)
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Request:
    """One signed request: where it goes, its body and headers."""

    path: str
    body: bytes | str
    headers: dict[str, str]


@dataclass(frozen=True)
class Case:
    """A request and what must come of it; ``stored`` is the text a cleaned one is kept as."""

    build: Callable[[AllChannels], Request]
    expect: str
    stored: str | None = None


# -- Slack: signed as Slack signs, malformed inside ----------------------------------------


def slack(body: bytes | str, content_type: str = JSON) -> Callable[[AllChannels], Request]:
    def build(_bot: AllChannels) -> Request:
        if isinstance(body, bytes):  # slack_sdk signs text only: sign the raw bytes here
            return Request("/slack/events", body, _slack_bytes_headers(body, content_type))
        return Request("/slack/events", body, signed_headers(body, content_type=content_type))

    return build


def _slack_bytes_headers(body: bytes, content_type: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(b"test-signing-secret", base, hashlib.sha256).hexdigest()
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": f"v0={digest}",
    }


def dm(text: Any, **changes: Any) -> str:
    n = next(_ids)
    return event_body({**dm_event("x", ts=f"{n}.000100"), "text": text, **changes})


def slash(text: str, **changes: Any) -> Callable[[AllChannels], Request]:
    def build(bot: AllChannels) -> Request:
        body = command_body("/ask", text, response_url=bot.slack.response_url())
        fields = {**dict(parse_qsl(body, keep_blank_values=True)), **changes}
        fields = {k: v for k, v in fields.items() if v is not None}
        return slack(urlencode(fields), FORM)(bot)

    return build


SLACK: dict[str, Case] = {
    "slack-broken-json": Case(slack('{"type": "event_callback", "event": '), "dropped"),
    "slack-empty-body": Case(slack(""), "dropped"),
    "slack-blank-body": Case(slack("   \n"), "dropped"),
    "slack-invalid-utf8": Case(slack(b'{"type": "event_callback", "x": "\xff\xfe"}'), "dropped"),
    "slack-json-array": Case(slack("[1, 2, 3]"), "dropped"),
    "slack-json-string": Case(slack('"hello"'), "dropped"),
    "slack-json-empty-object": Case(slack("{}"), "dropped"),
    "slack-raw-nul-byte-in-json": Case(slack(dm("a").replace('"a"', '"a\x00b"')), "dropped"),
    "slack-huge-body": Case(slack(dm("x" * HUGE)), "dropped"),
    "slack-form-broken-payload": Case(slack("payload=%7Bnot-json", FORM), "dropped"),
    "slack-form-not-a-form": Case(slack("just words", FORM), "dropped"),
    "slack-unknown-payload-type": Case(slack('{"type": "no_such_type"}'), "dropped"),
    "slack-unknown-event-type": Case(
        slack(event_body({"type": "no_such_event", "ts": "1.0"})), "ignored"
    ),
    "slack-event-callback-without-event": Case(
        slack(json.dumps({"type": "event_callback", "event_id": "EvNONE", "team_id": "T0TEST"})),
        "dropped",
    ),
    "slack-text-a-number": Case(slack(dm(42)), "dropped"),
    "slack-text-null": Case(slack(dm(None)), "ignored"),
    "slack-text-an-object": Case(slack(dm({"nested": ["a"]})), "dropped"),
    "slack-user-an-object": Case(slack(dm("hi", user={"id": "U1"})), "dropped"),
    "slack-event-a-list": Case(
        slack(json.dumps({"type": "event_callback", "event": []})), "dropped"
    ),
    "slack-actions-not-a-list": Case(
        slack(
            urlencode(
                {
                    "payload": json.dumps(
                        {"type": "block_actions", "user": {"id": "U1"}, "actions": "x"}
                    )
                }
            ),
            FORM,
        ),
        "dropped",
    ),
    "slack-channel-missing": Case(slack(dm("hi", channel=None)), "ignored"),
    "slack-command-without-user": Case(slash("hours?", user_id=None), "dropped"),
    "slack-nul-in-dm-text": Case(slack(dm("opening\u0000 hours?")), "cleaned", "opening hours?"),
    "slack-lone-surrogate-in-dm-text": Case(
        slack(dm("prices\ud800 please")), "cleaned", "prices please"
    ),
    "slack-nul-in-mention-text": Case(
        slack(event_body(mention_event("do you\u0000 cater?", ts=f"{next(_ids)}.2"))),
        "cleaned",
        "do you cater?",
    ),
    "slack-nul-in-user-id": Case(slack(dm("who am i", user="U1\u0000")), "cleaned", "who am i"),
    "slack-nul-in-command-text": Case(slash("hours\u0000 today"), "cleaned", "/ask hours today"),
}


# -- Telegram: the right secret, malformed updates -----------------------------------------


def telegram(body: bytes | str | dict) -> Callable[[AllChannels], Request]:
    raw = json.dumps(body) if isinstance(body, dict) else body
    return lambda _bot: Request(
        "/telegram/webhook", raw, {TG: TELEGRAM_SECRET, "content-type": JSON}
    )


def tg_text(text: str, **user_fields: Any) -> dict:
    n = 20_000 + next(_ids)
    update = text_update(n, text)
    update["message"]["from"] = {**user(), **user_fields}
    return update


def tg_message(**changes: Any) -> dict:
    update = text_update(20_000 + next(_ids), "hello")
    update["message"].update(changes)
    update["message"] = {k: v for k, v in update["message"].items() if v is not None}
    return update


TELEGRAM: dict[str, Case] = {
    "telegram-broken-json": Case(telegram('{"update_id": 1, "message": '), "dropped"),
    "telegram-empty-body": Case(telegram(""), "dropped"),
    "telegram-invalid-utf8": Case(telegram(b'{"update_id": 1, "x": "\xff"}'), "dropped"),
    "telegram-json-array": Case(telegram("[1, 2]"), "dropped"),
    "telegram-missing-update-id": Case(telegram({"message": tg_message()["message"]}), "dropped"),
    "telegram-update-id-a-word": Case(telegram({**tg_message(), "update_id": "one"}), "dropped"),
    "telegram-message-without-chat": Case(telegram(tg_message(chat=None)), "dropped"),
    "telegram-text-a-number": Case(telegram(tg_message(text=42)), "dropped"),
    "telegram-date-a-word": Case(telegram(tg_message(date="yesterday")), "dropped"),
    "telegram-raw-nul-byte-in-json": Case(
        telegram(json.dumps(tg_text("a")).replace('"a"', '"a\x00b"')), "dropped"
    ),
    "telegram-huge-body": Case(telegram(tg_text("x" * HUGE)), "dropped"),
    "telegram-text-over-4096": Case(telegram(tg_text("y" * 5000)), "dropped"),
    "telegram-callback-without-from": Case(
        telegram({"update_id": 29_999, "callback_query": {"id": "cb", "data": "x"}}), "dropped"
    ),
    "telegram-unknown-update-kind": Case(
        telegram({"update_id": 29_998, "no_such_kind": {"a": 1}}), "ignored"
    ),
    "telegram-edited-message": Case(
        telegram({"update_id": 29_997, "edited_message": tg_message()["message"]}), "ignored"
    ),
    "telegram-message-from-a-bot": Case(telegram(tg_text("beep", is_bot=True)), "ignored"),
    "telegram-nul-in-text": Case(
        telegram(tg_text("book\u0000 a table")), "cleaned", "book a table"
    ),
    "telegram-lone-surrogate-in-text": Case(
        telegram(tg_text("menu\udc00 today")), "cleaned", "menu today"
    ),
    "telegram-nul-in-first-name": Case(
        telegram(tg_text("hi there", first_name="A\u0000nn")), "cleaned", "hi there"
    ),
    "telegram-nul-in-last-name": Case(
        telegram(tg_text("hello again", last_name="\u0000")), "cleaned", "hello again"
    ),
    "telegram-nul-in-username": Case(
        telegram(tg_text("what now", username="ann\u0000lee")), "cleaned", "what now"
    ),
    "telegram-surrogate-in-first-name": Case(
        telegram(tg_text("are you open", first_name="\ud83dAnn")), "cleaned", "are you open"
    ),
}


# -- SMS: signed as Twilio signs, malformed inside ------------------------------------------


def sms(fields: dict[str, str], path: str = "/sms/inbound") -> Callable[[AllChannels], Request]:
    def build(bot: AllChannels) -> Request:
        validator = RequestValidator(bot.twilio.auth_token)
        signature = validator.compute_signature(PUBLIC_URL + path, ImmutableMultiDict(fields))
        return Request(path, urlencode(fields), {"X-Twilio-Signature": signature})

    return build


def sms_raw(body: bytes | str, content_type: str = FORM) -> Callable[[AllChannels], Request]:
    """A body that is not a form, signed as a request without fields."""

    def build(bot: AllChannels) -> Request:
        validator = RequestValidator(bot.twilio.auth_token)
        signature = validator.compute_signature(PUBLIC_URL + "/sms/inbound", {})
        headers = {"X-Twilio-Signature": signature, "content-type": content_type}
        return Request("/sms/inbound", body, headers)

    return build


def text_form(body: str = "hello", **changes: str | None) -> dict[str, str]:
    form = {**inbound_form(body, sender=CUSTOMER), **changes}
    return {k: v for k, v in form.items() if v is not None}


STATUS = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "undelivered"}

SMS: dict[str, Case] = {
    "sms-missing-from": Case(sms(text_form(From=None)), "dropped"),
    "sms-missing-message-sid": Case(sms(text_form(MessageSid=None)), "dropped"),
    "sms-from-not-a-phone": Case(sms(text_form(From="alice")), "dropped"),
    "sms-from-only-nul": Case(sms(text_form(From="\x00")), "dropped"),
    "sms-body-over-1600": Case(sms(text_form("z" * 1601)), "dropped"),
    "sms-huge-body": Case(sms(text_form("z" * HUGE)), "dropped"),
    "sms-message-sid-too-long": Case(sms(text_form(MessageSid="SM" + "1" * 100)), "dropped"),
    "sms-invalid-utf8": Case(sms_raw(b"Body=\xff\xfe&From=x"), "dropped"),
    "sms-json-body": Case(sms_raw(json.dumps(text_form()), JSON), "dropped"),
    "sms-empty-body": Case(sms_raw(b""), "dropped"),
    "sms-status-missing-sid": Case(sms({"MessageStatus": "failed"}, "/sms/status"), "dropped"),
    "sms-status-missing-status": Case(sms({"MessageSid": "SM1"}, "/sms/status"), "dropped"),
    "sms-status-nul-in-error": Case(
        sms({**STATUS, "ErrorCode": "30003", "ErrorMessage": "Unreach\x00able"}, "/sms/status"),
        "ignored",
    ),
    "sms-nul-in-body": Case(sms(text_form("table\x00 for two")), "cleaned", "table for two"),
    "sms-nul-in-from": Case(
        sms(text_form("call me", From="+1555123\x004567")), "cleaned", "call me"
    ),
    "sms-nul-in-profile-name": Case(
        sms(text_form("is it open", ProfileName="Ma\x00ry")), "cleaned", "is it open"
    ),
    "sms-nul-in-to": Case(sms(text_form("parking?", To="+1555000\x000000")), "cleaned", "parking?"),
    "sms-encoded-surrogate-in-body": Case(
        # %ED%A0%80 is a UTF-8-encoded surrogate: decoded, it becomes U+FFFD, not a surrogate.
        lambda bot: _encoded_surrogate(bot),
        "cleaned",
        "wifi \ufffd\ufffd\ufffd password",
    ),
}


def _encoded_surrogate(bot: AllChannels) -> Request:
    form = text_form("wifi \ufffd\ufffd\ufffd password")
    request = sms(form)(bot)
    body = str(request.body).replace("%EF%BF%BD%EF%BF%BD%EF%BF%BD", "%ED%A0%80")
    return Request(request.path, body, request.headers)


CASES: dict[str, Case] = {**SLACK, **TELEGRAM, **SMS}


bot = module_bot_fixture("malformed")


def test_the_corpus_covers_each_channel_and_each_outcome():
    for channel in (SLACK, TELEGRAM, SMS):
        assert {case.expect for case in channel.values()} >= {"dropped", "cleaned"}
    assert len(CASES) >= 60


@pytest.mark.asyncio(loop_scope="module")  # the module's one app
@pytest.mark.parametrize("name", list(CASES))
async def test_a_malformed_request_is_never_a_500_nor_a_traceback(
    bot: AllChannels, name: str, caplog: pytest.LogCaptureFixture
):
    case = CASES[name]
    request = case.build(bot)
    before = await bot.snapshot()
    caplog.set_level(logging.INFO)

    response = await bot.http.post(request.path, content=request.body, headers=request.headers)
    await bot.settle()

    after = await bot.snapshot()
    telegram = request.path.startswith("/telegram")
    if case.expect == "dropped":
        # Telegram re-sends any update not answered 2xx: a poison update is acknowledged.
        assert response.status_code == 200 if telegram else 400 <= response.status_code < 500
        assert any(r.levelno >= logging.WARNING for r in caplog.records), "not logged"
    else:
        assert response.status_code < 300, response.text
    if case.expect == "cleaned":
        assert after.rows["messages"] > before.rows["messages"]
        assert (await bot.stored_texts())[-1] == case.stored
        await _wait_for_reply(bot, before.replies)
    else:
        assert after.rows == before.rows
        assert after.replies == before.replies
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    await _assert_nothing_unstorable(bot)


async def _wait_for_reply(bot: AllChannels, before: dict[str, int]) -> None:
    """The cleaned message is answered as any other (the reply may trail the 2xx)."""
    for _ in range(100):
        if (await bot.snapshot()).replies != before:
            return
        await bot.settle()
        await asyncio.sleep(0.05)
    raise AssertionError("the cleaned message got no reply")


async def _assert_nothing_unstorable(bot: AllChannels) -> None:
    async with bot.runtime.db.sessions() as session:
        texts = list(await session.scalars(select(Message.text)))
        names = list(await session.scalars(select(Contact.display_name)))
        values = list(await session.scalars(select(Identity.external_id)))
    for value in [*texts, *names, *values]:
        assert value is None or not UNSTORABLE.search(value), repr(value)
