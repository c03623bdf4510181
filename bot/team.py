"""`TeamPolicy`: who counts as the business's team rather than a customer.

Team members may run the team's commands (/compare, /enrich) and the operations
agent shows them internal data (bookings, the lead pipeline, costs).
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.base import IncomingMessage

#: Channels whose every user is on the team: the Slack workspace, the operator's
#: own console, and callers of the HTTP API (which sits behind the operator's network).
TEAM_CHANNELS = frozenset({"slack", "console", "api"})


@dataclass(frozen=True, slots=True)
class TeamPolicy:
    """Who counts as a team member, for commands customers must not run.

    Slack, the console and the HTTP API are the team's own. Telegram is shared
    with customers, so only the user ids in ``TEAM_TELEGRAM_IDS`` count there;
    SMS is customers only.
    """

    telegram_ids: frozenset[str] = frozenset()

    def is_team(self, incoming: IncomingMessage) -> bool:
        """Whether the sender of ``incoming`` is a team member."""
        if incoming.channel in TEAM_CHANNELS:
            return True
        if incoming.channel == "telegram":
            return incoming.sender.value in self.telegram_ids
        return False
