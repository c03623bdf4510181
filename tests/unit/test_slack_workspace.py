"""`WorkspacePin`: which Slack requests are for this workspace, and who in it is the team."""

from __future__ import annotations

from typing import Any

import pytest

from channels.slack.users import Profile
from channels.slack.workspace import WorkspacePin

PIN = WorkspacePin(team_id="T1", app_id="A1")
GRID = WorkspacePin(team_id="T1", enterprise_id="E1")
ORG_WIDE = WorkspacePin(enterprise_id="E1")


def event(team: Any = "T1", **fields: Any) -> dict[str, Any]:
    body = {"type": "event_callback", "team_id": team, "api_app_id": "A1", "event": {}}
    body["authorizations"] = [{"team_id": team, "user_id": "UBOT"}]
    return {**body, **fields}


def command(team: Any = "T1", **fields: Any) -> dict[str, Any]:
    return {"command": "/ask", "team_id": team, "api_app_id": "A1", "user_id": "U1", **fields}


def click(team: Any = "T1", user_team: Any = "T1", **fields: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": team} if team is not None else None,
        "user": {"id": "U1", "team_id": user_team},
        "api_app_id": "A1",
        **fields,
    }


@pytest.mark.parametrize(
    "payload",
    [
        event(),
        command(),
        click(),
        {"type": "url_verification", "challenge": "abc", "token": "x"},  # carries no team
        {"ssl_check": "1", "token": "x"},
    ],
)
def test_requests_of_the_pinned_workspace_pass(payload: dict[str, Any]):
    assert PIN.refusal(payload) is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (event("T2"), "another Slack workspace"),
        (command("T2"), "another Slack workspace"),
        (click("T2", "T2"), "another Slack workspace"),
        (click("T1", "T2"), "another Slack workspace"),  # a Slack Connect clicker
        (event(authorizations=[{"team_id": "T2"}]), "another Slack workspace"),
        (event(None, authorizations=[]), "no Slack workspace in the request"),
        (command(None), "no Slack workspace in the request"),
        (click(None, None), "no Slack workspace in the request"),
        (event(["T1"]), "another Slack workspace"),  # not a string: no id
        (event(api_app_id="A2"), "another Slack app"),
        (command(api_app_id="A2"), "another Slack app"),
        ({"type": "event_callback", "event": {}}, "no Slack workspace in the request"),
    ],
)
def test_requests_of_another_workspace_or_app_are_refused(payload: dict[str, Any], reason: str):
    assert PIN.refusal(payload) == reason


def test_enterprise_grid_checks_the_org_and_an_org_wide_install_needs_no_team():
    assert GRID.refusal(event(enterprise_id="E1")) is None
    assert GRID.refusal(event(enterprise_id="E2")) == "another Enterprise Grid org"
    assert GRID.refusal(click(None, None, enterprise={"id": "E1"})) is None
    assert ORG_WIDE.refusal(event("T9", enterprise_id="E1")) is None
    assert ORG_WIDE.refusal(event("T9")) == "no Enterprise Grid org in the request"
    assert ORG_WIDE.refusal(command("T9", enterprise_id="E2")) == "another Enterprise Grid org"


def test_nothing_is_accepted_while_no_workspace_is_pinned():
    assert WorkspacePin().refusal(event()) == "the Slack workspace is not known"
    assert WorkspacePin().refusal({"type": "url_verification", "challenge": "c"}) is None


def member(**fields: Any) -> Profile:
    return Profile(**{"name": "Sam", "found": True, "team_id": "T1", **fields})


@pytest.mark.parametrize(
    ("profile", "user_team", "team"),
    [
        (member(), None, True),
        (member(), "T1", True),
        (member(), "T2", False),  # the event says the user's team is another one
        (member(team_id="T2"), None, False),  # another workspace
        (member(external=True), None, False),  # a stranger, a guest, a bot
        (Profile(), None, False),  # users.info failed: fail closed
        (member(found=False), None, False),
    ],
)
def test_only_a_member_of_the_pinned_workspace_is_the_team(
    profile: Profile, user_team: str | None, team: bool
):
    assert PIN.admits(profile, user_team=user_team) is team


def test_on_grid_a_member_of_the_org_in_the_pinned_workspace_is_the_team():
    assert GRID.admits(member(enterprise_id="E1")) is True
    assert GRID.admits(member(team_id="T7", enterprise_id="E1", teams=("T7", "T1"))) is True
    assert GRID.admits(member(team_id="T7", enterprise_id="E1", teams=("T7",))) is False
    assert GRID.admits(member(enterprise_id="E2")) is False
    assert ORG_WIDE.admits(member(team_id="T9", enterprise_id="E1")) is True
    assert WorkspacePin().admits(member()) is False


def test_auth_test_pins_the_token_workspace_or_the_org_of_an_org_wide_install():
    workspace = {"ok": True, "team_id": "T1", "user_id": "UBOT", "is_enterprise_install": False}
    in_grid = {**workspace, "enterprise_id": "E1"}
    org_wide = {"ok": True, "team_id": None, "enterprise_id": "E1", "is_enterprise_install": True}

    assert WorkspacePin.from_auth_test(workspace) == WorkspacePin(team_id="T1")
    assert WorkspacePin.from_auth_test(in_grid, app_id="A1") == WorkspacePin("T1", "E1", "A1")
    assert WorkspacePin.from_auth_test(org_wide) == WorkspacePin(enterprise_id="E1")
