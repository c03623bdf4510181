"""Checking a request to ``/slack/events`` before anything reads it: signature, then shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier


def is_signed(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether ``X-Slack-Signature`` signs ``body`` and the timestamp is within 5 minutes.

    slack_sdk's verifier raises on a timestamp that is not a number or a body
    that is not UTF-8; both are simply unsigned requests here.
    """
    try:
        return verifier.is_valid(
            body=body,
            timestamp=headers.get("x-slack-request-timestamp"),
            signature=headers.get("x-slack-signature"),
        )
    except (ValueError, UnicodeDecodeError):
        return False


def parse_payload(body: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The request's payload as bolt will read it, or None when it is malformed.

    Slack sends events as JSON, slash commands as a form, and interactivity as
    a form whose ``payload`` field is JSON. bolt parses the same way but
    raises (an HTTP 500) on a broken body; checking first answers 400.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.strip():
        return None
    mime = (content_type or "").split(";")[0].strip().lower()
    try:
        if mime == "application/json" or text.startswith("{"):
            parsed = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and parsed else None
