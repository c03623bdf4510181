"""Costs: the monthly budget and its hard cap, growth alerts, and paid sends counted as spend."""
