"""`FallbackProvider`: a chain of providers tried in order until one answers.

``AI_FALLBACKS=groq:openai/gpt-oss-120b,anthropic:claude-haiku-5-5`` puts
those after the primary; the embedded ``local`` model ends the chain by
default, so the bot always says something. Members that are cooling down are
skipped without a call. The answer says who served it and why each member
before it did not (``extras["fallback"]``), and its `Completion.calls` hold
every call made on the way, so the cost log misses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

from agents.errors import AllProvidersFailedError, ProviderError
from agents.providers.base import (
    DEFAULT_OPTIONS,
    CallOptions,
    CallRecord,
    ChatMessage,
    Completion,
    ModelProvider,
    StreamEvent,
)
from agents.providers.wrapper import WrapperProvider

log = logging.getLogger(__name__)


class FallbackProvider(WrapperProvider):
    """Tries ``members`` in order; the first that answers serves the reply.

    The chain presents itself as its primary: that is the model users chose.
    """

    def __init__(self, members: Sequence[ModelProvider]) -> None:
        super().__init__(*members)

    @property
    def chain_ids(self) -> list[str]:
        """The ``provider:model`` ids of the chain, in order."""
        return [member.model_id for member in self.members]

    async def complete(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> Completion:
        skipped: list[dict[str, str]] = []
        spent: list[CallRecord] = []
        for member in self._available(skipped):
            try:
                completion = await member.complete(messages, options)
            except ProviderError as exc:
                self._note_failure(member, exc, skipped, spent)
                continue
            return self._served(completion, skipped, spent)
        raise self._exhausted(skipped, spent)

    async def stream(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> AsyncIterator[StreamEvent]:
        """Fall back only while nothing has been yielded; members handle later breaks."""
        skipped: list[dict[str, str]] = []
        spent: list[CallRecord] = []
        for member in self._available(skipped):
            started = False
            try:
                async for event in member.stream(messages, options):
                    if isinstance(event, Completion):
                        yield self._served(event, skipped, spent)
                        return
                    started = True
                    yield event
            except ProviderError as exc:
                if started:  # the reader has seen text from this member: no second voice
                    raise
                self._note_failure(member, exc, skipped, spent)
                continue
        raise self._exhausted(skipped, spent)

    def _available(self, skipped: list[dict[str, str]]) -> list[ModelProvider]:
        available = []
        for member in self.members:
            resting = member.cooling_down()
            if resting > 0:
                skipped.append(
                    {
                        "model": member.model_id,
                        "reason": "cooling_down",
                        "detail": f"resting {resting:.1f} s after repeated failures",
                    }
                )
                continue
            available.append(member)
        return available

    @staticmethod
    def _note_failure(
        member: ModelProvider,
        exc: ProviderError,
        skipped: list[dict[str, str]],
        spent: list[CallRecord],
    ) -> None:
        log.warning("%s failed (%s); trying the next provider", member.model_id, exc)
        skipped.append({"model": member.model_id, "reason": exc.outcome, "detail": str(exc)})
        spent.extend(exc.calls)

    @staticmethod
    def _served(
        completion: Completion, skipped: list[dict[str, str]], spent: list[CallRecord]
    ) -> Completion:
        if not skipped:
            return completion
        trail = {"served_by": completion.model_id, "skipped": list(skipped)}
        return replace(completion, extras={**completion.extras, "fallback": trail}).after(spent)

    def _exhausted(
        self, skipped: list[dict[str, str]], spent: list[CallRecord]
    ) -> AllProvidersFailedError:
        reasons = "; ".join(f"{s['model']}: {s['detail']}" for s in skipped)
        return AllProvidersFailedError(
            f"no provider could answer ({reasons})",
            provider=self.provider,
            calls=spent,
            skipped=skipped,
        )
