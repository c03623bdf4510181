"""Fake vendor APIs on 127.0.0.1, speaking each vendor's wire format.

The official SDKs are pointed at them with their base URL, so the code under
test runs unchanged: real HTTP, real SSE, real SDK parsing. Each fake answers
from a script of `Reply` values (429, 500, 529, a stall, a cut stream,
invalid JSON, ...) and keeps every request it received.
"""
