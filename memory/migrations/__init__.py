"""Alembic migrations of the bot's schema; run them with `bot migrate`."""
