"""Lead follow-ups: a short message to a lead who went quiet.

- `runner`: `FollowUpRunner`, which finds the due ones and sends them; `setup`:
  the runner and the lead book built from the settings.
- `periodic`: the in-process round of ``bot serve`` (SQLite); `text`: the fallback text.
- `cli`: ``bot followups``.
"""

from __future__ import annotations

from bot.feature import CliCommand, Feature

FEATURE = Feature(
    name="followups",
    cli=(
        CliCommand(
            "followups",
            "bot.followups.cli",
            "followups",
            "Lead follow-ups: send the due ones, list them.",
        ),
    ),
)
