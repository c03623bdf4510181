"""Slack's side of a handoff: which messages of the ops channel are team replies."""

from __future__ import annotations

from typing import Any

import pytest

from channels.slack.inbound import TEAM_REPLY_COMMAND, from_thread_reply
from channels.slack.users import Profile

OPS = "COPS"
BOT = "UBOT"


def event(**changes: Any) -> dict[str, Any]:
    base = {
        "type": "message",
        "channel": OPS,
        "channel_type": "channel",
        "user": "U7",
        "text": "We can do June 6.",
        "ts": "9.000200",
        "thread_ts": "8.000100",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def test_a_persons_reply_in_an_ops_thread_is_a_team_reply():
    incoming = from_thread_reply(
        event(), ops_channel=OPS, bot_user_id=BOT, profile=Profile("Sam Chef", "sam@x.test")
    )
    assert incoming is not None
    assert (incoming.command, incoming.arguments) == (TEAM_REPLY_COMMAND, "We can do June 6.")
    assert incoming.conversation_key == f"{OPS}:8.000100"  # the thread: where the alert is
    assert incoming.external_id == f"{OPS}:9.000200"  # the message: deduplicates retries
    assert incoming.sender_name == "Sam Chef" and str(incoming.sender) == "slack:U7"


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"thread_ts": None}, "not in a thread"),
        ({"thread_ts": "9.000200"}, "the thread's parent"),
        ({"channel": "CGENERAL"}, "another channel"),
        ({"bot_id": "B1"}, "a bot"),
        ({"user": BOT}, "ourselves"),
        ({"subtype": "message_changed"}, "an edit"),
        ({"text": f"<@{BOT}> what did they book?"}, "a question for the bot"),
        ({"text": "  "}, "empty"),
    ],
)
def test_other_messages_are_not_team_replies(changes: dict[str, Any], why: str):
    assert from_thread_reply(event(**changes), ops_channel=OPS, bot_user_id=BOT) is None, why


def test_without_an_ops_channel_nothing_is_a_team_reply():
    assert from_thread_reply(event(), ops_channel=None, bot_user_id=BOT) is None


def test_slack_markup_is_undone_before_the_customer_reads_it():
    text = (
        "Menu &amp; prices: <https://ember.example/menu|our menu>, <mailto:a@b.test|a@b.test> &lt;3"
    )
    incoming = from_thread_reply(event(text=text), ops_channel=OPS, bot_user_id=BOT)
    assert incoming is not None
    assert incoming.arguments == "Menu & prices: our menu (https://ember.example/menu), a@b.test <3"
