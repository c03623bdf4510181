"""Channel adapters; `channels.base` holds the neutral message types."""
