"""The core settings: the database, the business, the messages' size, the API's tokens.

`bot.settings.Settings` reads these with the rest.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

from agents.business import BusinessProfile

SAMPLE_BUSINESS_DIR = Path(__file__).parents[1] / "sample"

# Plain driver names users paste from their host, mapped to the async drivers we use.
_URL_PREFIXES = {
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "sqlite://": "sqlite+aiosqlite://",
}
_SUPPORTED_URLS = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class CoreSettings(BaseSettings):
    """The database, the business, how much of a conversation is read, the API's tokens."""

    database_url: str = Field(
        "sqlite+aiosqlite:///./bot.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://...",
    )
    database_pool_size: int = Field(
        10,
        ge=1,
        le=500,
        description="PostgreSQL: connections each process keeps open (as many again in a burst).",
    )

    # The business: its documents, its time zone, its phone numbers' country.
    business_dir: Path = Field(SAMPLE_BUSINESS_DIR, description="business.yml and Markdown notes.")
    business_time_zone: str | None = Field(
        None,
        description="Time zone of the business and of contacts whose own is not known; "
        "unset: the timezone in business.yml.",
    )
    phone_default_region: str = Field("US", min_length=2, max_length=2)

    # Messages and the history a prompt is given.
    history_limit: int = Field(20, ge=0, le=500, description="Past messages read per reply.")
    history_chars: int = Field(2400, ge=0, description="Characters of history put in a prompt.")
    max_message_chars: int = Field(4000, ge=1, le=100_000)

    # The HTTP API's bearer tokens.
    api_token: str | None = Field(
        None, repr=False, min_length=16, description="Bearer token the /api/v1 routes require."
    )
    admin_api_token: str | None = Field(
        None,
        repr=False,
        min_length=16,
        description=(
            "Bearer token of /api/v1/contacts/{id} (export and delete), and the token "
            "team members log into the team console (/admin) with."
        ),
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        for plain, async_prefix in _URL_PREFIXES.items():
            if value.startswith(plain):
                value = async_prefix + value[len(plain) :]
        if not value.startswith(_SUPPORTED_URLS):
            raise ValueError(f"must start with {' or '.join(_SUPPORTED_URLS)}")
        return value

    @field_validator("business_dir")
    @classmethod
    def _business_folder(cls, value: Path) -> Path:
        if not (value / "business.yml").is_file():
            raise ValueError(f"{value} has no business.yml")
        return value

    @field_validator("business_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (an IANA name: Europe/Paris)") from exc
        return value

    def business_zone(self) -> str:
        """BUSINESS_TIME_ZONE, else the ``timezone`` of the business folder's business.yml."""
        if self.business_time_zone:
            return self.business_time_zone
        return BusinessProfile.from_folder(self.business_dir).timezone
