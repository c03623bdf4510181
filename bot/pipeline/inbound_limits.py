"""`InboundLimiter`: how many messages one sender may have answered, per burst and per day.

A stranger on SMS or Telegram could otherwise make the bot call paid models
and send paid SMS without end. Each message from a customer channel
(``INBOUND_LIMIT_CHANNELS``; team members there, such as
``TEAM_TELEGRAM_IDS``, are exempt) is checked right after it is stored:

- burst: more than ``INBOUND_BURST_LIMIT`` messages from the sender within
  the last ``INBOUND_BURST_WINDOW_S`` seconds (a sliding window);
- daily: more than ``INBOUND_DAILY_LIMIT`` messages in the UTC day.

The counts are of stored messages, in the database, so every process sees
the same ones; each message is counted up to itself, so its verdict does not
depend on when, or in which process, it is checked. A message past a limit
stays stored (nothing is lost; the team sees it) and is not answered. The
first one of a window tells the sender once, and the team is alerted once
per sender, limit and UTC day: both through rows whose unique keys let one
process win (`memory.inbound_limits`, `bot.costs.alerts`).

STOP and START are never limited: opting out must always work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.costs.alerts import Alert, AlertLog
from bot.team import TeamPolicy
from channels.base import OPT_IN_COMMAND, OPT_OUT_COMMAND, IncomingMessage
from memory.conversations import RecordedMessage
from memory.db import Database
from memory.inbound_limits import InboundLimitStore
from memory.models import utcnow
from memory.spend import day_bounds

log = logging.getLogger(__name__)

BURST = "burst"
DAILY = "daily"

#: What the sender reads, once per window, when their messages stop being answered.
NOTICES = {
    BURST: (
        "You've sent us a lot of messages in a short time, so we've paused automatic "
        "replies for a little while. We have all your messages and will get back to you."
    ),
    DAILY: (
        "You've sent us a lot of messages today, so we've paused automatic replies until "
        "tomorrow. We have all your messages and a member of our team will get back to you."
    ),
}

_UNLIMITED_COMMANDS = frozenset({OPT_OUT_COMMAND, OPT_IN_COMMAND})


@dataclass(frozen=True, slots=True)
class LimitHit:
    """A message past a limit: which limit, and the window it fell in."""

    #: ``burst`` or ``daily``.
    limit: str
    #: When it was checked.
    at: datetime


class InboundLimiter:
    """Checks each stored customer message against the sender's burst and daily limits."""

    def __init__(
        self,
        db: Database,
        *,
        burst_limit: int = 10,
        burst_window_s: float = 60.0,
        daily_limit: int = 200,
        channels: Collection[str] = ("sms", "telegram", "web"),
        team: TeamPolicy | None = None,
        alerts: AlertLog | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """``alerts`` tells the team (the budget's `AlertLog`: log and ops channel)."""
        self.store = InboundLimitStore(db)
        self.burst_limit = burst_limit
        self.burst_window = timedelta(seconds=burst_window_s)
        self.daily_limit = daily_limit
        self.channels = frozenset(channels)
        self.team = team or TeamPolicy()
        self.alerts = alerts or AlertLog(db)
        self._clock = clock

    def applies_to(self, incoming: IncomingMessage) -> bool:
        """Whether ``incoming`` counts against a limit: a customer's, and not STOP or START."""
        return (
            (self.burst_limit > 0 or self.daily_limit > 0)
            and incoming.channel in self.channels
            and incoming.command not in _UNLIMITED_COMMANDS
            and not self.team.is_team(incoming)
        )

    async def check(self, incoming: IncomingMessage, recorded: RecordedMessage) -> LimitHit | None:
        """The limit ``recorded`` is past (daily first), or None when it may be answered."""
        if not self.applies_to(incoming):
            return None
        now = self._clock()
        windows: list[tuple[str, datetime, int]] = []
        if self.daily_limit > 0:
            windows.append((DAILY, day_bounds(now)[0], self.daily_limit))
        if self.burst_limit > 0:
            windows.append((BURST, now - self.burst_window, self.burst_limit))
        # Both windows in one read; counting stops one past each limit.
        counts = await self.store.sent_since_each(
            recorded.contact_id,
            [(since, limit + 1) for _, since, limit in windows],
            up_to_message=recorded.message_id,
        )
        for (name, _, limit), count in zip(windows, counts, strict=True):
            if count > limit:  # daily first: it is the one named in the notice
                return LimitHit(name, now)
        return None

    async def record(
        self, incoming: IncomingMessage, recorded: RecordedMessage, hit: LimitHit
    ) -> bool:
        """Mark the message unanswered; claim the window and alert the team if first.

        True when the sender should be told (the first message past this limit
        in its window, across every process); False for the rest.
        """
        await self.store.mark_unanswered(recorded.message_id, hit.limit)
        log.info(
            "message %s from contact %s is past the %s limit: stored, not answered",
            recorded.message_id,
            recorded.contact_id,
            hit.limit,
        )
        window = await self._window(recorded, hit)
        if window is None:
            return False
        first = await self.store.claim(
            contact_id=recorded.contact_id,
            limit=hit.limit,
            window=window,
            channel=incoming.channel,
            message_id=recorded.message_id,
        )
        if first:
            await self.alerts.fire(self._alert(incoming, recorded, hit))
        return first

    async def _window(self, recorded: RecordedMessage, hit: LimitHit) -> str | None:
        """The name of the window ``hit`` fell in; None when its sender was told already.

        A day is its UTC date. A burst is named by the first message of the sliding
        window, so messages checked at once in several processes claim the same
        name; a sender told within the last window is not told again.
        """
        if hit.limit == DAILY:
            return f"day:{hit.at:%Y-%m-%d}"
        since = hit.at - self.burst_window
        if await self.store.claimed_since(recorded.contact_id, BURST, since):
            return None
        first = await self.store.first_since(
            recorded.contact_id, since, up_to_message=recorded.message_id
        )
        return f"burst:{first}"

    def _alert(self, incoming: IncomingMessage, recorded: RecordedMessage, hit: LimitHit) -> Alert:
        """One alert per sender, limit and UTC day (the alerts table's key)."""
        who = f"A sender on {incoming.channel} (contact {recorded.contact_id}, {_masked(incoming)})"
        if hit.limit == BURST:
            seconds = f"{self.burst_window.total_seconds():g}"
            what = (
                f"sent more than {self.burst_limit} messages within {seconds} s "
                "(INBOUND_BURST_LIMIT, INBOUND_BURST_WINDOW_S)"
            )
            until = "until they slow down"
        else:
            what = f"sent more than {self.daily_limit} messages today (INBOUND_DAILY_LIMIT)"
            until = "until the UTC day ends"
        return Alert(
            key=f"inbound:{hit.at:%Y-%m-%d}:{hit.limit}:{recorded.contact_id}",
            kind="inbound_limit",
            message=(
                f"{who} {what}. Their messages are stored but not answered {until}; "
                "they were told once. Reply yourself if they are genuine."
            ),
        )


def _masked(incoming: IncomingMessage) -> str:
    """The sender's address fit for the team's channel and the log: its last four characters."""
    value = incoming.sender.value
    return f"{incoming.sender.kind} …{value[-4:]}" if len(value) > 4 else incoming.sender.kind
