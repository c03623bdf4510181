"""manifest.yml: a Slack app manifest whose every URL reaches /slack/events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.commands import CommandRegistry, builtin_commands

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
EVENTS_URL = "https://YOUR-HOST/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text())


def test_slash_commands_point_at_slack_events(manifest: dict[str, Any]):
    commands = manifest["features"]["slash_commands"]

    names = {c["command"] for c in commands}
    assert {"/enrich", "/compare", "/ask", "/bot-help"} <= names
    assert all(c["url"] == EVENTS_URL for c in commands)
    # Slack's limits: a description of at most 100 characters, names of at most 32.
    assert all(0 < len(c["description"]) <= 100 and len(c["command"]) <= 32 for c in commands)
    # /enrich takes @user: Slack then sends <@U123|jane> (and <mailto:...|...> for e-mails).
    escaped = {c["command"] for c in commands if c["should_escape"]}
    assert escaped == {"/enrich"}


def test_builtin_commands_in_the_manifest_are_known_to_the_bot(manifest: dict[str, Any]):
    registry = CommandRegistry(builtin_commands())
    names = {c["command"].lstrip("/") for c in manifest["features"]["slash_commands"]}

    assert registry.get("ask") and registry.get("bot-help")
    assert {"ask", "bot-help"} <= names


def test_events_interactivity_and_scopes(manifest: dict[str, Any]):
    settings = manifest["settings"]

    assert settings["event_subscriptions"]["request_url"] == EVENTS_URL
    # message.channels/groups: team replies in a handoff's thread in SLACK_OPS_CHANNEL.
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "message.channels",
        "message.groups",
        # :+1: / :-1: reactions on the bot's replies are feedback.
        "reaction_added",
        "reaction_removed",
    }
    assert settings["interactivity"] == {"is_enabled": True, "request_url": EVENTS_URL}
    assert settings["socket_mode_enabled"] is False
    assert {
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "chat:write",
        "commands",
        "im:history",
        "im:read",
        "im:write",
        "reactions:read",
        "users:read",
        "users:read.email",
    } <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["features"]["bot_user"]["display_name"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs reach the bot
