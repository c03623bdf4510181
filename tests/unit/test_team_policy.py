"""`TeamPolicy`: the team's commands (/compare, /enrich) and data are not for customers."""

from __future__ import annotations

import pytest

from bot.commands import Command, CommandRegistry, TeamPolicy
from channels.base import Address, IncomingMessage


def message(channel: str, sender: str, **extras: object) -> IncomingMessage:
    return IncomingMessage(
        channel=channel,
        sender=Address(channel, sender),
        conversation_key=sender,
        text="/x",
        extras=dict(extras),
    )


def teammate() -> IncomingMessage:
    """A Slack message the adapter vouched for: the sender is in the pinned workspace."""
    return message("slack", "U1", team_member=True)


@pytest.mark.parametrize(
    ("channel", "sender", "team"),
    [
        ("console", "me", True),
        ("api", "anyone", True),
        ("telegram", "42", True),  # listed in TEAM_TELEGRAM_IDS
        ("telegram", "43", False),
        ("sms", "+15551234567", False),
    ],
)
def test_who_is_on_the_team(channel: str, sender: str, team: bool):
    assert TeamPolicy(frozenset({"42"})).is_team(message(channel, sender)) is team


@pytest.mark.parametrize(
    ("extras", "team"),
    [
        ({"team_member": True}, True),
        ({"team_member": False}, False),  # a stranger, a guest, another workspace
        ({}, False),  # nobody vouched for the sender: fail closed
        ({"team_member": "yes"}, False),  # only the adapter's own True counts
    ],
)
def test_a_slack_user_is_on_the_team_only_when_the_adapter_says_so(
    extras: dict[str, object], team: bool
):
    assert TeamPolicy().is_team(message("slack", "U1", **extras)) is team


def test_help_lists_team_commands_to_the_team_only():
    async def nothing(_context: object) -> None:
        return None

    registry = CommandRegistry(
        [
            Command("ask", "ask a question", nothing),
            Command("compare", "ask three models", nothing, team_only=True),
        ]
    )

    assert "/compare" in registry.help_text(teammate())
    assert "/compare" not in registry.help_text(message("slack", "U9", team_member=False))
    customer_help = registry.help_text(message("telegram", "43"))
    assert "/ask" in customer_help and "/compare" not in customer_help
