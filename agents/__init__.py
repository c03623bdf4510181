"""Models and reasoning: providers, the router, the four agents."""
