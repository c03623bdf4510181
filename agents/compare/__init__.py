"""/compare: several models asked at once, scored, judged and ranked (channel-neutral)."""
