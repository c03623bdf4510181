"""The telegram channel adapter."""
