"""`TeamPolicy`: who counts as the business's team rather than a customer.

Team members may run the team's commands (/compare, /enrich, /bot-release)
and the operations agent shows them internal data (bookings, the lead
pipeline, costs). Everyone else is a customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.base import IncomingMessage
from channels.slack.inbound import TEAM_MEMBER

#: Channels whose every user is on the team: the operator's own console, and
#: callers of the HTTP API (which needs its token and sits behind the operator's network).
TEAM_CHANNELS = frozenset({"console", "api"})


@dataclass(frozen=True, slots=True)
class TeamPolicy:
    """Who counts as a team member, for commands and data customers must not have.

    The console and the HTTP API are the team's own. On Slack a person is on
    the team only when the adapter vouched for them (``extras["team_member"]``:
    a member of the pinned workspace, not a stranger or guest, profile read);
    a Slack message without that mark is a customer's. Telegram is shared with
    customers, so only the user ids in ``TEAM_TELEGRAM_IDS`` count there; SMS
    is customers only.
    """

    telegram_ids: frozenset[str] = frozenset()

    def is_team(self, incoming: IncomingMessage) -> bool:
        """Whether the sender of ``incoming`` is a team member."""
        if incoming.channel in TEAM_CHANNELS:
            return True
        if incoming.channel == "slack":
            return incoming.extras.get(TEAM_MEMBER) is True
        if incoming.channel == "telegram":
            return incoming.sender.value in self.telegram_ids
        return False
