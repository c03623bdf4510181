"""`SlackConfig`: what the Slack adapter needs, read by the bot from its settings."""

from __future__ import annotations

from dataclasses import dataclass

SLACK_API_BASE_URL = "https://slack.com/api/"


@dataclass(frozen=True, slots=True)
class SlackConfig:
    """Credentials and endpoints of the Slack app."""

    bot_token: str
    #: Verifies ``X-Slack-Signature`` on ``POST /slack/events``; Socket Mode needs none.
    signing_secret: str | None = None
    #: ``xapp-...``, for Socket Mode (``bot serve --slack-socket-mode``).
    app_token: str | None = None
    #: The Web API base URL (GovSlack and tests use another); ends with ``/``.
    api_base_url: str = SLACK_API_BASE_URL
    socket_mode: bool = False
    #: False only under the explicit development setting; the bot warns at start.
    verify_requests: bool = True
    #: ``SLACK_OPS_CHANNEL`` (a channel id): replies in its threads reach the bot as
    #: team replies to a handed-off customer.
    ops_channel: str | None = None
    #: ``SLACK_TEAM_ID`` / ``SLACK_ENTERPRISE_ID``: the workspace (or Grid org) whose
    #: requests are accepted and whose members are the team. Unset: ``auth.test`` tells.
    team_id: str | None = None
    enterprise_id: str | None = None
    #: ``SLACK_APP_ID``: checked against a request's ``api_app_id``.
    app_id: str | None = None
