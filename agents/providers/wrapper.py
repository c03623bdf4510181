"""`WrapperProvider`: the base of providers that answer through other providers.

A fallback chain, the hybrid student and teacher, the PII scrubber: each is a
`ModelProvider` whose answers come from its ``members``. The base writes the
`ModelProvider` interface once, passing every call to the first member, so a
wrapper overrides only what it changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from agents.providers.base import (
    DEFAULT_OPTIONS,
    CallOptions,
    ChatMessage,
    Completion,
    ModelProvider,
    StreamEvent,
)


class WrapperProvider(ModelProvider):
    """Answers through ``members``; by default as the first of them would.

    It presents itself as its first member (that is the model users chose)
    unless a subclass names itself. Members belong to whoever built them (the
    factory, which closes them), so `aclose` leaves them open; a wrapper that
    owns its member overrides `aclose`.
    """

    def __init__(self, *members: ModelProvider) -> None:
        if not members:
            raise ValueError(f"{type(self).__name__} needs at least one provider to wrap")
        self.members: list[ModelProvider] = list(members)
        self.provider = members[0].provider
        self.model = members[0].model

    @property
    def inner(self) -> ModelProvider:
        """The first member: the one a call goes to unless the wrapper decides otherwise."""
        return self.members[0]

    async def complete(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> Completion:
        return await self.inner.complete(messages, options)

    def stream(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> AsyncIterator[StreamEvent]:
        return self.inner.stream(messages, options)

    def cooling_down(self) -> float:
        """Resting only while every member is (0 when any can be called now)."""
        return min(member.cooling_down() for member in self.members)

    async def ready(self) -> bool:
        """Ready when any member is."""
        for member in self.members:
            if await member.ready():
                return True
        return False

    async def aclose(self) -> None:
        # Members belong to the factory that built them, which closes them.
        return None
