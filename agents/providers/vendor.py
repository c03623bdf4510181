"""`VendorProvider`: a `RemoteProvider` that holds one vendor SDK client.

What every vendor module would otherwise repeat: reading its settings from
the factory (key, base URL, timeout and token cap), building the SDK client
only when a key is set, refusing calls without one, and closing the client.
A missing key disables this provider alone: it is still built (so a chain
that names it loads), `ready` is False, and every call raises
`ProviderUnavailableError` before any request, which a fallback chain skips.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Self

from agents.errors import ProviderUnavailableError
from agents.providers.catalogue import ModelInfo
from agents.providers.pricing import PriceTable
from agents.providers.remote import RemoteProvider, SpendGate
from agents.providers.resilience import RetryPolicy, Timeouts

if TYPE_CHECKING:
    from agents.providers.factory import ProviderFactory


class VendorProvider(RemoteProvider):
    """A model behind a vendor SDK client; subclasses implement `_build_client`."""

    #: Where `from_factory` finds this provider's settings (``openai``, ``groq``, ...).
    vendor_name: ClassVar[str]
    #: The setting that holds the key, for the missing-key message.
    key_setting: ClassVar[str]

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        max_tokens_cap: int | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        prices: PriceTable | None = None,
        spend_gate: SpendGate | None = None,
        info: ModelInfo | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            model, timeouts=timeouts, retry=retry, prices=prices, spend_gate=spend_gate, sleep=sleep
        )
        self.info = info
        self.base_url = base_url
        self.max_tokens_cap = max_tokens_cap
        self._client: Any = self._build_client(api_key, base_url) if api_key else None

    @classmethod
    def from_factory(cls, model: str, factory: ProviderFactory) -> Self:
        """Build from the factory's settings (key, base URL, limits), prices, budget gate
        and the model's catalogue entry (what it accepts)."""
        settings = factory.settings
        vendor = settings.vendor(cls.vendor_name)
        timeouts = settings.timeouts
        if vendor.timeout is not None:  # GROQ_TIMEOUT and the like
            timeouts = replace(timeouts, total=vendor.timeout)
        return cls(
            model,
            api_key=vendor.api_key,
            base_url=vendor.base_url,
            max_tokens_cap=vendor.max_tokens,
            timeouts=timeouts,
            retry=settings.retry,
            prices=factory.prices,
            spend_gate=factory.spend_gate,
            info=factory.catalogue.get(f"{cls.provider}:{model}"),
        )

    def _build_client(self, api_key: str, base_url: str | None) -> Any:
        """The SDK's async client, with its own retries off (``max_retries=0``) and our timeouts."""
        raise NotImplementedError

    def capped(self, max_tokens: int) -> int:
        """``max_tokens`` within this vendor's cap (``GROQ_MAX_TOKENS``), if it has one."""
        return max_tokens if self.max_tokens_cap is None else min(max_tokens, self.max_tokens_cap)

    def _check_may_call(self) -> None:
        if self._client is None:
            raise ProviderUnavailableError(
                f"{self.key_setting} is not set: {self.model_id} cannot be called "
                "(set it, or choose another AI_PROVIDER)",
                provider=self.provider,
            )
        super()._check_may_call()

    async def ready(self) -> bool:
        """True when a key is configured (no request is made)."""
        return self._client is not None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
