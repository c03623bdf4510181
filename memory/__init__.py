"""Persistence: models, contacts and identities, conversations, migrations."""
