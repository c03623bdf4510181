"""Benchmarks of the bot, each run from the repository root as ``python -m bench.NAME``."""
