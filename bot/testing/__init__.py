"""The whole bot wired to the channels' and vendors' test doubles, for tests and benchmarks."""
