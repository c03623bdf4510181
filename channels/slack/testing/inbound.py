"""Inbound Slack requests for tests: events, slash commands, clicks, signed as Slack signs them.

Signatures come from slack_sdk's own `SignatureVerifier`, the code Slack's
documentation points to, so the adapter is checked against the real scheme.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from channels.slack.testing import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "test-signing-secret"
#: The app id requests carry (``api_app_id``); ``SLACK_APP_ID`` in tests that pin it.
APP_ID = "A0TEST"


def signed_headers(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = "application/json",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers Slack sends with ``body``: timestamp and ``v0=`` HMAC signature."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature,
        **(extra or {}),
    }


def event_body(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str | None = TEAM_ID,
    **fields: Any,
) -> str:
    """An Events API ``event_callback`` request body around ``event``.

    ``team_id`` is the workspace it names (top level and ``authorizations``);
    ``fields`` replace or add top-level fields (``api_app_id``, ``enterprise_id``).
    """
    body = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True},
        ],
        **fields,
    }
    return json.dumps({k: v for k, v in body.items() if v is not None})


def dm_event(text: str, *, user: str = "U1", channel: str = "D1", ts: str = "1.000100") -> dict:
    """A ``message.im`` event: a person writing to the bot in a DM."""
    return {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }


def mention_event(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    ts: str = "2.000100",
    thread_ts: str | None = None,
) -> dict:
    """An ``app_mention`` event: ``<@BOT> text`` in a channel."""
    event = {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def command_body(
    command: str,
    text: str = "",
    *,
    response_url: str,
    user_id: str = "U1",
    channel_id: str = "C1",
    trigger_id: str | None = None,
    team_id: str | None = TEAM_ID,
    **fields: str,
) -> str:
    """A slash command request body (form-encoded, as Slack sends it).

    ``team_id`` is the workspace it names; ``fields`` replace or add form fields.
    """
    body = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": "fake",
        "channel_id": channel_id,
        "channel_name": "general",
        "user_id": user_id,
        "user_name": "someone",
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "response_url": response_url,
        "trigger_id": trigger_id or f"{uuid.uuid4().int % 10**12}.{TEAM_ID}",
        **fields,
    }
    return urlencode({k: v for k, v in body.items() if v is not None})


def action_body(
    action_id: str,
    value: str,
    *,
    response_url: str,
    user_id: str = "U1",
    channel_id: str = "C1",
    team_id: str | None = TEAM_ID,
    user_team_id: str | None = None,
    **fields: Any,
) -> str:
    """A ``block_actions`` interactivity request body (a form with a JSON ``payload``).

    ``team_id`` is the workspace (``team.id``), ``user_team_id`` the clicker's
    (``user.team_id``, by default the same); ``fields`` replace or add payload fields.
    """
    user_team = user_team_id or team_id
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "someone", "name": "someone", "team_id": user_team},
        "api_app_id": APP_ID,
        "team": {"id": team_id, "domain": "fake"} if team_id else None,
        "container": {"type": "message", "message_ts": "5.000100", "channel_id": channel_id},
        "trigger_id": f"{uuid.uuid4().int % 10**12}.{TEAM_ID}",
        "channel": {"id": channel_id, "name": "general"},
        "message": {"type": "message", "ts": "5.000100", "text": "a card"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": f"{time.time():.6f}",
                "text": {"type": "plain_text", "text": "Click"},
            }
        ],
        **fields,
    }
    return urlencode({"payload": json.dumps(payload)})
