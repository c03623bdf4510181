"""What the provider factory is told: each vendor's key and limits, and the chains' models.

`bot.settings` fills these from the environment; tests build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from agents.providers.resilience import RetryPolicy, Timeouts


@dataclass(frozen=True, slots=True)
class VendorSettings:
    """Key, base URL and limits of one vendor API; None means the SDK's default."""

    api_key: str | None = None
    base_url: str | None = None
    timeout: float | None = None  # overrides `Timeouts.total` for this vendor
    max_tokens: int | None = None  # caps every call's max_tokens for this vendor


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """What the factory needs to know; `bot.settings` fills it from the environment."""

    default_provider: str = "local"
    local_model_path: Path | None = None
    local_max_concurrency: int = 2
    local_context_tokens: int = 2048
    vendors: dict[str, VendorSettings] = field(default_factory=dict)
    #: Default model per provider when an id names none (``groq`` → ``GROQ_MODEL``);
    #: a provider missing here uses the catalogue's default.
    default_models: dict[str, str] = field(default_factory=dict)
    #: The operator's catalogue additions and overrides (MODELS_FILE).
    models_file: Path | None = None
    #: The date lifecycle checks use; None means today (tests pin it).
    today: date | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    fallbacks: tuple[str, ...] = ()
    #: The model that ends every chain; None for none.
    last_resort: str | None = "local"
    hybrid_student: str = "local"
    hybrid_teacher: str | None = "local"  # None: the catalogue's teacher
    confidence_high: float = 0.75
    confidence_low: float = 0.40
    #: Model ids by role (``router``, ``agent.knowledge``, ``judge``, ``enrich``).
    role_models: dict[str, str] = field(default_factory=dict)
    #: Mask phones, e-mails and card numbers before cloud vendors see them (PII_SCRUB_CLOUD).
    pii_scrub_cloud: bool = False
    #: The region whose phone numbers need no country code (PHONE_DEFAULT_REGION).
    phone_region: str = "US"

    def vendor(self, name: str) -> VendorSettings:
        """The settings of vendor ``name`` (empty when none were given)."""
        return self.vendors.get(name, VendorSettings())
