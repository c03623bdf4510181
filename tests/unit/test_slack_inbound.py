"""Slack payloads → IncomingMessage, conversation keys, and request checks."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk.signature import SignatureVerifier

from channels.base import Address
from channels.slack.inbound import (
    conversation_key,
    from_actions,
    from_command,
    from_event,
    parse_key,
    strip_mention,
)
from channels.slack.users import Profile
from channels.slack.verify import is_signed, parse_payload

BOT = "UBOT"


def test_conversation_keys_round_trip():
    assert parse_key(conversation_key("C1", "12.5")) == ("C1", "12.5")
    assert parse_key(conversation_key("D1")) == ("D1", None)
    assert parse_key("#ops") == ("#ops", None)


def test_strip_mention_keeps_other_mentions():
    assert strip_mention(f"<@{BOT}> ask <@U2> too", BOT) == "ask <@U2> too"
    assert strip_mention(f"hi <@{BOT}|frontdesk>!", BOT) == "hi !"


def test_dm_event_becomes_a_message_keyed_on_channel_and_ts():
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": "hi",
        "ts": "1.5",
    }

    incoming = from_event(
        event,
        event_id="Ev1",
        bot_user_id=BOT,
        profile=Profile(name="Jane", email="jane@acme.com"),
        retry_num="1",
    )

    assert incoming is not None
    assert incoming.sender == Address("slack", "U1")
    assert incoming.external_id == "D1:1.5"
    assert incoming.conversation_key == "D1"
    assert incoming.sender_name == "Jane"
    assert incoming.aliases == (Address("email", "jane@acme.com"),)
    assert incoming.extras["event_id"] == "Ev1"
    assert incoming.extras["retry_num"] == "1"


def test_threaded_dm_stays_in_its_thread_and_mentions_open_one():
    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": "hi",
        "ts": "2.5",
        "thread_ts": "2.0",
    }
    mention = {
        "type": "app_mention",
        "channel": "C1",
        "user": "U1",
        "text": f"<@{BOT}> hi",
        "ts": "3.5",
    }

    assert from_event(dm, event_id=None, bot_user_id=BOT).conversation_key == "D1:2.0"
    assert from_event(mention, event_id=None, bot_user_id=BOT).conversation_key == "C1:3.5"


def test_a_bare_mention_is_ignored():
    mention = {
        "type": "app_mention",
        "channel": "C1",
        "user": "U1",
        "text": f"<@{BOT}>",
        "ts": "3.5",
    }
    assert from_event(mention, event_id=None, bot_user_id=BOT) is None


def test_command_becomes_a_command_message():
    incoming = from_command(
        {
            "command": "/ask",
            "text": " why? ",
            "user_id": "U1",
            "user_name": "jane",
            "channel_id": "C1",
            "trigger_id": "T.1",
            "response_url": "https://hooks/x",
        }
    )

    assert (incoming.command, incoming.arguments, incoming.text) == ("ask", "why?", "/ask why?")
    assert incoming.external_id == "command:T.1"
    assert incoming.conversation_key == "C1"
    assert incoming.sender_name == "jane"
    assert incoming.extras["response_url"] == "https://hooks/x"


def test_each_clicked_button_becomes_a_command():
    body = {
        "type": "block_actions",
        "user": {"id": "U1", "name": "jane"},
        "channel": {"id": "C1"},
        "message": {"ts": "9.1", "thread_ts": "9.0"},
        "trigger_id": "T.2",
        "response_url": "https://hooks/y",
        "actions": [{"action_id": "feedback", "value": "up", "action_ts": "9.2"}],
    }

    (click,) = from_actions(body)

    assert (click.command, click.arguments, click.text) == ("feedback", "up", "/feedback up")
    assert click.conversation_key == "C1:9.0"
    assert click.external_id == "action:U1:9.2:feedback"
    assert click.extras["response_url"] == "https://hooks/y"


def test_signature_checks():
    verifier = SignatureVerifier("s3cret")
    body = b'{"type":"event_callback"}'

    def signed(stamp: str, signature: str | None = None) -> dict[str, str]:
        signature = signature or verifier.generate_signature(timestamp=stamp, body=body)
        return {"x-slack-request-timestamp": stamp, "x-slack-signature": signature or ""}

    now, old = str(int(time.time())), str(int(time.time()) - 301)
    assert is_signed(verifier, body, signed(now))
    assert not is_signed(verifier, body + b" ", signed(now))  # the body changed
    assert not is_signed(verifier, body, signed(old))  # replayed after 5 minutes
    assert not is_signed(verifier, body, signed("soon", signed(now)["x-slack-signature"]))
    assert not is_signed(verifier, b"\xff", signed(now))
    assert not is_signed(verifier, body, {})
    # A non-ASCII signature (a header read as Latin-1) is unsigned, not a TypeError.
    assert not is_signed(verifier, body, {**signed(now), "x-slack-signature": "v0=é" * 20})


ACTIONS = {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a"}]}


@pytest.mark.parametrize(
    ("body", "content_type", "parsed"),
    [
        (b'{"a": 1}', "application/json", {"a": 1}),
        (
            b"command=%2Fask&text=a+payload+word&user_id=U1",
            "application/x-www-form-urlencoded",
            {"command": "/ask", "text": "a payload word", "user_id": "U1"},
        ),
        (
            b"payload=" + json.dumps(ACTIONS).encode(),
            None,
            ACTIONS,
        ),
        # NUL and lone surrogates are removed, keys included.
        (
            b'{"event": {"text": "a\\u0000b\\ud800c", "u\\u0000": 1}}',
            "application/json",
            {"event": {"text": "abc", "u": 1}},
        ),
        (b"", "application/json", None),
        (b"{oops", "application/json", None),
        (b"[1]", "application/json", None),
        (b"\xff\xfe", "application/json", None),
        (b"payload=nope", "application/x-www-form-urlencoded", None),
        # Signed, but not what Slack sends: refused before a listener reads it.
        (b"command=%2Fask&text=hi", "application/x-www-form-urlencoded", None),
        (b'{"type": "event_callback", "event": "x"}', "application/json", None),
        (b'{"event": {"type": "message", "text": 42}}', "application/json", None),
        (b'{"event": {"type": "message", "user": {"id": "U1"}}}', "application/json", None),
        (b'{"type": "block_actions", "user": {"id": "U1"}, "actions": {}}', None, None),
        (b'{"type": "event_callback", "event": {"text": "' + b"x" * (1 << 20) + b'"}}', None, None),
    ],
)
def test_parse_payload(body: bytes, content_type: str | None, parsed: dict | None):
    assert parse_payload(body, content_type) == parsed
