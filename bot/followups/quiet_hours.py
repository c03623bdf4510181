"""`QuietHours`: the hours of the day no proactive message goes out (``QUIET_HOURS``).

Read in the recipient's own time zone, so a customer in New York is not woken
by a follow-up timed for California.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From ``start`` to ``end`` (local wall time); a window may span midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """``"21:00-08:00"`` → quiet hours; ``""`` → None (never quiet)."""
        text = text.strip()
        if not text:
            return None
        first, _, second = text.partition("-")
        start, end = _time(first), _time(second)
        return None if start == end else cls(start, end)

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        """Whether ``moment`` (aware) falls inside the quiet hours in ``zone``."""
        local = moment.astimezone(zone).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """When the quiet hours around ``moment`` end, as an aware time in ``moment``'s zone."""
        local = moment.astimezone(zone)
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=zone)
        # combine() with a ZoneInfo picks the right offset even across a DST change.
        return end.astimezone(moment.tzinfo)


def _time(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    hour = int(hours)
    if hour == 24:
        return time(0, int(minutes or 0))
    return time(hour, int(minutes or 0))
