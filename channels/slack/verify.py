"""Checking a request to ``/slack/events`` before anything reads it: signature, then shape.

What passes is cleaned (`channels.text.clean_json`): a NUL or a lone
surrogate in a message or a command is removed, never a database error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

from channels.text import clean_json

log = logging.getLogger(__name__)

#: Slack's largest requests (a 40,000-character message with its blocks) are a few
#: hundred kilobytes: a body far larger is not Slack's and is not parsed.
MAX_BODY_BYTES = 1 << 20


def is_signed(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether ``X-Slack-Signature`` signs ``body`` and the timestamp is within 5 minutes.

    slack_sdk's verifier raises on a timestamp that is not a number or a body
    that is not UTF-8, and `hmac.compare_digest` on a non-ASCII signature (a
    header arrives decoded as Latin-1); all are simply unsigned requests here.
    """
    signature = headers.get("x-slack-signature", "")
    try:
        valid = signature.isascii() and verifier.is_valid(
            body=body, timestamp=headers.get("x-slack-request-timestamp"), signature=signature
        )
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        valid = False
    if not valid:
        # One line per refused request, no traceback, nothing of the body.
        log.warning("Slack request refused: missing, expired or wrong X-Slack-Signature")
    return valid


def parse_payload(body: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The request's payload as bolt will read it, or None when it is malformed.

    Slack sends events as JSON, slash commands as a form, and interactivity as
    a form whose ``payload`` field is JSON. bolt parses the same way but
    raises (an HTTP 500) on a broken body; checking first answers 400. Every
    string of the payload comes back cleaned (`clean_json`).
    """
    if len(body) > MAX_BODY_BYTES:
        _malformed(f"a body of {len(body)} bytes")
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        _malformed("a body that is not UTF-8")
        return None
    if not text.strip():
        _malformed("an empty body")
        return None
    mime = (content_type or "").split(";")[0].strip().lower()
    try:
        if mime == "application/json" or text.startswith("{"):
            parsed = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except ValueError:
        _malformed("a body that is neither JSON nor a form")
        return None
    if not isinstance(parsed, dict) or not parsed:
        _malformed("a payload that is not an object")
        return None
    problem = shape_problem(parsed)
    if problem is not None:
        _malformed(problem)
        return None
    return clean_json(parsed)


#: Fields the listeners read as text, where Slack always sends a string (or nothing).
_EVENT_TEXT = ("type", "user", "channel", "channel_type", "text", "ts", "thread_ts", "subtype")
_COMMAND_TEXT = ("command", "text", "user_id", "user_name", "channel_id", "response_url")


def shape_problem(payload: dict[str, Any]) -> str | None:
    """What makes a signed payload one Slack never sends (a wrong type, a missing id), or None.

    Only the fields the listeners read are checked: a string where they expect
    one, the objects and lists they walk. Without this, ``"user": {...}`` or a
    command without ``user_id`` would reach them and end in a 500 (or worse, be
    stored as the text of a dict).
    """
    if "event" in payload or payload.get("type") == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict):
            return "an event_callback without an event object"
        return _not_text(event, _EVENT_TEXT, "event")
    if "command" in payload:
        if not isinstance(payload.get("user_id"), str) or not payload["user_id"]:
            return "a slash command without user_id"
        return _not_text(payload, _COMMAND_TEXT, "command")
    if payload.get("type") == "block_actions":
        user, actions = payload.get("user"), payload.get("actions")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return "block_actions without a user id"
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "block_actions whose actions are not a list of objects"
    return None


def _not_text(fields: dict[str, Any], names: tuple[str, ...], what: str) -> str | None:
    for name in names:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            return f"{what} field {name!r} is a {type(value).__name__}, not text"
    return None


def _malformed(what: str) -> None:
    # One line, no traceback: the request was signed, so it is worth knowing it was dropped.
    log.warning("Slack request refused: %s", what)
