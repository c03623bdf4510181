"""`TeamPolicy`: the team's commands (/compare, /enrich) are not for customers."""

from __future__ import annotations

import pytest

from bot.commands import Command, CommandRegistry, TeamPolicy
from channels.base import Address, IncomingMessage


def message(channel: str, sender: str) -> IncomingMessage:
    return IncomingMessage(
        channel=channel, sender=Address(channel, sender), conversation_key=sender, text="/x"
    )


@pytest.mark.parametrize(
    ("channel", "sender", "team"),
    [
        ("slack", "U1", True),
        ("console", "me", True),
        ("api", "anyone", True),
        ("telegram", "42", True),  # listed in TEAM_TELEGRAM_IDS
        ("telegram", "43", False),
        ("sms", "+15551234567", False),
    ],
)
def test_who_is_on_the_team(channel: str, sender: str, team: bool):
    assert TeamPolicy(frozenset({"42"})).is_team(message(channel, sender)) is team


def test_help_lists_team_commands_to_the_team_only():
    async def nothing(_context: object) -> None:
        return None

    registry = CommandRegistry(
        [
            Command("ask", "ask a question", nothing),
            Command("compare", "ask three models", nothing, team_only=True),
        ]
    )

    assert "/compare" in registry.help_text(message("slack", "U1"))
    customer_help = registry.help_text(message("telegram", "43"))
    assert "/ask" in customer_help and "/compare" not in customer_help
