"""A bot whose /enrich runs on the `enrich_replies` function models and a fake Tavily."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from agents.providers.function import FunctionProvider
from agents.research.testing import FakeTavily
from bot.runtime import Runtime
from memory.db import Database
from memory.models import ModelCall

LEAD_MODEL = "function:tests.support.enrich_replies:lead"
GARBLED_MODEL = "function:tests.support.enrich_replies:garbled"
#: The page the fake Tavily returns about everyone in these tests.
NEWS = "https://acme.example/news/offsite"
#: The Telegram user id on the team (TEAM_TELEGRAM_IDS).
TEAM_MEMBER = "42"


def enrich_settings(database: Database, tavily: FakeTavily | None, **extra: Any) -> dict[str, Any]:
    """Settings for a bot whose /enrich uses the lead model (and the fake Tavily, if given)."""
    options: dict[str, Any] = {
        "database_url": database.url,
        "enrich_model": LEAD_MODEL,
        "ai_last_resort": "none",  # a failing test model must not fall back to SmolLM2
        "team_telegram_ids": TEAM_MEMBER,
    }
    if tavily is not None:
        options |= {"tavily_api_key": "tvly-test", "tavily_base_url": tavily.base_url}
    return options | extra


def lead_model(rt: Runtime) -> FunctionProvider:
    """The /enrich model the factory built, with every prompt it got in ``calls``."""
    provider = rt.providers.create(LEAD_MODEL)
    assert isinstance(provider, FunctionProvider)
    return provider


async def logged_calls(db: Database) -> list[ModelCall]:
    """Every row of ``model_calls``, oldest first."""
    async with db.sessions() as session:
        return list((await session.scalars(select(ModelCall).order_by(ModelCall.id))).all())
