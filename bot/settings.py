"""`Settings`: every setting of the bot, read from the environment and ``.env``.

A bad value stops the bot at start with one line naming the setting
(`SettingsError`), never with a traceback from deep inside a request.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.errors import UnknownProviderError
from agents.providers.factory import ProviderSettings, parse_model_id
from bot.errors import SettingsError

SAMPLE_BUSINESS_DIR = Path(__file__).parent / "sample"

# Plain driver names users paste from their host, mapped to the async drivers we use.
_URL_PREFIXES = {
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "sqlite://": "sqlite+aiosqlite://",
}
_SUPPORTED_URLS = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class Settings(BaseSettings):
    """The bot's configuration. Environment variables are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(
        "sqlite+aiosqlite:///./bot.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://...",
    )
    ai_provider: str = Field("local", description="Default model: a provider or provider:model.")
    local_model_path: Path | None = Field(None, description="A GGUF file to use instead.")
    local_max_concurrency: int = Field(2, ge=1, le=64)
    local_context_tokens: int = Field(2048, ge=256, le=32768)
    history_limit: int = Field(20, ge=0, le=500, description="Past messages read per reply.")
    history_chars: int = Field(2400, ge=0, description="Characters of history put in a prompt.")
    max_message_chars: int = Field(4000, ge=1, le=100_000)
    business_dir: Path = Field(SAMPLE_BUSINESS_DIR, description="business.yml and Markdown notes.")
    phone_default_region: str = Field("US", min_length=2, max_length=2)
    log_level: str = Field("INFO")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        for plain, async_prefix in _URL_PREFIXES.items():
            if value.startswith(plain):
                value = async_prefix + value[len(plain) :]
        if not value.startswith(_SUPPORTED_URLS):
            raise ValueError(f"must start with {' or '.join(_SUPPORTED_URLS)}")
        return value

    @field_validator("ai_provider")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        try:
            parse_model_id(value)
        except UnknownProviderError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("local_model_path")
    @classmethod
    def _model_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("business_dir")
    @classmethod
    def _business_folder(cls, value: Path) -> Path:
        if not (value / "business.yml").is_file():
            raise ValueError(f"{value} has no business.yml")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    def provider_settings(self) -> ProviderSettings:
        """The part of the settings the model provider factory reads."""
        return ProviderSettings(
            default_provider=self.ai_provider,
            local_model_path=self.local_model_path,
            local_max_concurrency=self.local_max_concurrency,
            local_context_tokens=self.local_context_tokens,
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise `SettingsError` with one clear line when one is bad."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {name}: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
