"""/compare: one question to several models at once, ranked, voted on and stored.

- `service`: `CompareService`, what the chat command, the HTTP API and the CLI share.
- `admission`, `stored`: who may ask now; the stored form of a comparison.
- `command`, `render`: the chat command and how its results read.
- `routes`: ``/api/v1/compare``. `cli`: ``bot compare``.
"""
