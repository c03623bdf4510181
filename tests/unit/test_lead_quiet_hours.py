"""Quiet hours in the recipient's time zone, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.followups.quiet_hours import QuietHours

NEW_YORK = ZoneInfo("America/New_York")
PARIS = ZoneInfo("Europe/Paris")


def test_parse():
    assert QuietHours.parse("") is None
    quiet = QuietHours.parse("21:00-08:00")
    assert quiet is not None and (quiet.start.hour, quiet.end.hour) == (21, 8)


def test_a_window_across_midnight_in_the_contacts_zone():
    quiet = QuietHours.parse("21:00-08:00")
    assert quiet is not None
    late = datetime(2030, 1, 16, 3, 0, tzinfo=UTC)  # 22:00 in New York, 04:00 in Paris
    afternoon = datetime(2030, 1, 15, 20, 0, tzinfo=UTC)  # 15:00 in New York, 21:00 in Paris

    assert quiet.contains(late, NEW_YORK) and quiet.contains(late, PARIS)
    assert not quiet.contains(afternoon, NEW_YORK) and quiet.contains(afternoon, PARIS)
    assert quiet.ends_after(late, NEW_YORK) == datetime(2030, 1, 16, 13, 0, tzinfo=UTC)
    assert quiet.ends_after(late, PARIS) == datetime(2030, 1, 16, 7, 0, tzinfo=UTC)
    # 21:00 in Paris: the quiet hours end tomorrow morning.
    assert quiet.ends_after(afternoon, PARIS) == datetime(2030, 1, 16, 7, 0, tzinfo=UTC)


def test_a_daytime_window_and_a_dst_morning():
    quiet = QuietHours.parse("12:00-13:30")
    assert quiet is not None
    assert quiet.contains(datetime(2030, 6, 3, 16, 15, tzinfo=UTC), NEW_YORK)  # 12:15 EDT
    assert not quiet.contains(datetime(2030, 6, 3, 17, 30, tzinfo=UTC), NEW_YORK)
    night = QuietHours.parse("21:00-08:00")
    assert night is not None
    # New York springs forward on 10 March 2030: 08:00 EDT is 12:00 UTC.
    before_dawn = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)  # 05:00 EDT
    assert night.ends_after(before_dawn, NEW_YORK) == datetime(2030, 3, 10, 12, 0, tzinfo=UTC)
