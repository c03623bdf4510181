"""The exception family of `memory`."""

from __future__ import annotations


class MemoryStoreError(Exception):
    """Root of the errors raised by `memory`."""


class StoreUnavailableError(MemoryStoreError):
    """The database cannot be reached."""


class InvalidAddressError(MemoryStoreError, ValueError):
    """A phone number, e-mail or identity that cannot be normalised."""
