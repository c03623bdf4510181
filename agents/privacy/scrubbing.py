"""`ScrubbingProvider`: a cloud model sees placeholders, the customer sees their own data.

Before a call, every phone number, e-mail and card number in the messages is
replaced by a numbered placeholder (``[PHONE_1]``, ``[EMAIL_1]``, ``[CARD_1]``;
the same value gets the same placeholder in every message of the call). The
model answers with the placeholders, which are put back in its reply, in a
stream's deltas as they arrive, and in a structured answer's fields. The
factory wraps cloud providers in it when ``PII_SCRUB_CLOUD=true``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from agents.privacy.pii import KINDS, find_pii
from agents.providers.base import (
    DEFAULT_OPTIONS,
    CallOptions,
    ChatMessage,
    Completion,
    ModelProvider,
    StreamEvent,
)
from agents.providers.wrapper import WrapperProvider

_KINDS = "|".join(KINDS)
# Models keep the brackets as a rule, and drop them now and then: accept both.
_PLACEHOLDER = re.compile(rf"\[?\b(?:{_KINDS})_[0-9]+\b\]?")
# The tail of a stream that may still become a placeholder: hold it back.
_OPEN_TAIL = re.compile(rf"(?:\[[A-Z_0-9]{{0,12}}|\b(?:{_KINDS})_[0-9]*|\b[A-Z]{{1,5}})$")


class Scrubber:
    """The placeholders of one call: masks text, then restores the model's answer."""

    def __init__(self, *, default_region: str = "US") -> None:
        self.default_region = default_region
        self._by_key: dict[str, str] = {}
        self._values: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    @property
    def placeholders(self) -> dict[str, str]:
        """Placeholder → the value it stands for."""
        return dict(self._values)

    def mask(self, text: str) -> str:
        """``text`` with its personal data replaced by numbered placeholders."""
        matches = find_pii(text, default_region=self.default_region)
        if not matches:
            return text
        parts: list[str] = []
        at = 0
        for match in matches:
            placeholder = self._by_key.get(match.key)
            if placeholder is None:
                self._counts[match.kind] = self._counts.get(match.kind, 0) + 1
                placeholder = f"[{match.kind}_{self._counts[match.kind]}]"
                self._by_key[match.key] = placeholder
                self._values[placeholder] = match.text
            parts += [text[at : match.start], placeholder]
            at = match.end
        parts.append(text[at:])
        return "".join(parts)

    def mask_messages(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """Every message masked, with placeholders shared across them."""
        return [ChatMessage(m.role, self.mask(m.content)) for m in messages]

    def restore(self, text: str) -> str:
        """``text`` with the placeholders this scrubber made put back (others left as they are)."""
        if not self._values or not text:
            return text

        def put_back(match: re.Match[str]) -> str:
            token = match.group()
            placeholder = "[" + token.strip("[]") + "]"
            return self._values.get(placeholder, token)

        return _PLACEHOLDER.sub(put_back, text)

    def restore_object(self, value: Any) -> Any:
        """Placeholders put back in every string of a structured answer."""
        if isinstance(value, str):
            return self.restore(value)
        if isinstance(value, list):
            return [self.restore_object(v) for v in value]
        if isinstance(value, dict):
            return {k: self.restore_object(v) for k, v in value.items()}
        dump = getattr(value, "model_dump", None)
        if callable(dump):  # a pydantic model: restore its fields and validate again
            return type(value).model_validate(self.restore_object(dump()))
        return value


class StreamRestorer:
    """Restores placeholders in a stream whose deltas may split one (``[PHO`` + ``NE_1]``)."""

    def __init__(self, scrubber: Scrubber) -> None:
        self.scrubber = scrubber
        self._pending = ""

    def feed(self, delta: str) -> str:
        """The restored text that is safe to show now (possibly empty)."""
        self._pending += delta
        tail = _OPEN_TAIL.search(self._pending)
        cut = tail.start() if tail else len(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self.scrubber.restore(ready)

    def flush(self) -> str:
        """Whatever was held back, restored, at the end of the stream."""
        rest, self._pending = self._pending, ""
        return self.scrubber.restore(rest)


class ScrubbingProvider(WrapperProvider):
    """Wraps ``inner`` so it never sees phone numbers, e-mails or card numbers."""

    def __init__(self, inner: ModelProvider, *, default_region: str = "US") -> None:
        super().__init__(inner)
        self.default_region = default_region

    def _scrubber(self) -> Scrubber:
        return Scrubber(default_region=self.default_region)

    def _restored(self, completion: Completion, scrubber: Scrubber) -> Completion:
        if not scrubber.placeholders:
            return completion
        parsed = completion.parsed
        if parsed is not None:
            parsed = scrubber.restore_object(parsed)
        return replace(completion, text=scrubber.restore(completion.text), parsed=parsed)

    async def complete(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> Completion:
        scrubber = self._scrubber()
        completion = await self.inner.complete(scrubber.mask_messages(messages), options)
        return self._restored(completion, scrubber)

    async def stream(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> AsyncIterator[StreamEvent]:
        scrubber = self._scrubber()
        restorer = StreamRestorer(scrubber)
        events = self.inner.stream(scrubber.mask_messages(messages), options)
        try:
            async for event in events:
                if isinstance(event, Completion):
                    rest = restorer.flush()
                    if rest:
                        yield rest
                    yield self._restored(event, scrubber)
                    continue
                text = restorer.feed(event)
                if text:
                    yield text
        finally:
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                await aclose()

    async def aclose(self) -> None:
        # Unlike a chain's members, the wrapped provider is ours: the factory caches only us.
        await self.inner.aclose()
