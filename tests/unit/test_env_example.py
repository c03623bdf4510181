"""`.env.example` lists every setting with its default, and is current."""

from __future__ import annotations

from bot.env_example import ROOT, render
from bot.settings import Settings


def test_env_example_is_current():
    # Out of date? python -m bot.env_example > .env.example
    assert (ROOT / ".env.example").read_text() == render()


def test_every_setting_is_listed_with_its_default():
    text = render()
    for name in Settings.model_fields:
        assert f"\n# {name.upper()}=" in text
    assert "\n# DATABASE_URL=sqlite+aiosqlite:///./bot.db\n" in text
    assert "\n# LOG_LEVEL=INFO\n" in text
