"""`Settings`: every setting of the bot, read from the environment and ``.env``.

Each group of settings is declared once, in a module of this package: `core`
(database, business, history, the API's tokens), `models`, `channels`,
`agents` (routing, knowledge, follow-ups, privacy), `commands` (/compare,
/enrich), `limits` (budget, inbound limits, SMS prices), `pipeline` and
`operations`. `Settings` reads them all, and adds what spans groups.

A bad value stops the bot at start with one line naming the setting
(`SettingsError`), never with a traceback from deep inside a request.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from bot.errors import SettingsError
from bot.settings.agents import AgentWorkSettings
from bot.settings.channels import ChannelSettings
from bot.settings.commands import CommandSettings
from bot.settings.core import SAMPLE_BUSINESS_DIR, CoreSettings
from bot.settings.limits import LimitSettings
from bot.settings.models import ModelSettings
from bot.settings.operations import OpsSettings
from bot.settings.pipeline import PipelineSettings

__all__ = ["SAMPLE_BUSINESS_DIR", "Settings", "get_settings", "load_settings"]


# Fields are collected from the last base to the first: core first in .env.example.
class Settings(
    OpsSettings,
    PipelineSettings,
    LimitSettings,
    ChannelSettings,
    CommandSettings,
    AgentWorkSettings,
    ModelSettings,
    CoreSettings,
):
    """The bot's configuration. Environment variables are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)


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
