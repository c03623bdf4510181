"""The exception family of `agents`: every model or agent failure is one of these."""

from __future__ import annotations


class AgentError(Exception):
    """Root of the errors raised by `agents`."""


class ProviderError(AgentError):
    """A model provider could not answer."""

    def __init__(self, message: str, *, provider: str = "", retryable: bool = False) -> None:
        super().__init__(message)
        self.provider = provider
        self.retryable = retryable


class UnknownProviderError(ProviderError):
    """A model id names a provider this build does not have."""


class ProviderUnavailableError(ProviderError):
    """A provider exists but cannot run here (missing key, package or file)."""


class ModelFileMissingError(ProviderUnavailableError):
    """The GGUF file a local model needs is not where it was expected."""
