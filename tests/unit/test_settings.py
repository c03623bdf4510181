from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import SAMPLE_BUSINESS_DIR, load_settings


def test_defaults_run_the_embedded_model_on_sqlite():
    settings = load_settings(_env_file=None)

    assert settings.database_url == "sqlite+aiosqlite:///./bot.db"
    assert settings.ai_provider == "local"
    assert settings.local_model_path is None
    assert settings.business_dir == SAMPLE_BUSINESS_DIR


def test_reads_the_environment(monkeypatch):
    monkeypatch.setenv("AI_PROVIDER", "function:echo")
    monkeypatch.setenv("HISTORY_LIMIT", "5")
    settings = load_settings(_env_file=None)
    assert (settings.ai_provider, settings.history_limit) == ("function:echo", 5)


def test_reads_a_dotenv_file(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text("HISTORY_LIMIT=7\n")
    assert load_settings(_env_file=env_file).history_limit == 7


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_plain_database_urls_get_the_async_driver(url, expected):
    assert load_settings(_env_file=None, database_url=url).database_url == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"database_url": "mysql://x"}, "Invalid setting DATABASE_URL: must start with"),
        ({"ai_provider": "skynet"}, "Invalid setting AI_PROVIDER: unknown model provider"),
        ({"local_model_path": "/no/such.gguf"}, "Invalid setting LOCAL_MODEL_PATH: no such file"),
        ({"history_limit": -1}, "Invalid setting HISTORY_LIMIT:"),
        ({"log_level": "LOUD"}, "Invalid setting LOG_LEVEL: must be DEBUG"),
        ({"business_dir": "/tmp"}, "Invalid setting BUSINESS_DIR: /tmp has no business.yml"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(overrides, message):
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **overrides)

    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text
