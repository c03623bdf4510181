"""Lead follow-ups: a short message to a lead who went quiet.

- `runner`: `FollowUpRunner`, which finds the due ones and sends them.
- `periodic`: the in-process round of ``bot serve`` (SQLite); `text`: the fallback text.
- `cli`: ``bot followups``.
"""
