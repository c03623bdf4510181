from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import SAMPLE_BUSINESS_DIR, load_settings
from bot.wiring.models import provider_settings, role_models


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


def test_vendor_settings_reach_the_provider_factory(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk-test")
    monkeypatch.setenv("GROQ_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("GROQ_TIMEOUT", "12.5")
    monkeypatch.setenv("GROQ_MAX_TOKENS", "300")
    monkeypatch.setenv("GROQ_MODEL", "llama-3.1-8b-instant")
    monkeypatch.setenv("AI_TIMEOUT", "20")
    monkeypatch.setenv("AI_STREAM_IDLE_TIMEOUT", "4")

    factory_settings = provider_settings(load_settings(_env_file=None))

    groq = factory_settings.vendor("groq")
    assert (groq.api_key, groq.base_url, groq.timeout, groq.max_tokens) == (
        "gsk-test",
        "http://127.0.0.1:9/",
        12.5,
        300,
    )
    assert factory_settings.default_models["groq"] == "llama-3.1-8b-instant"
    assert (factory_settings.timeouts.total, factory_settings.timeouts.stream_idle) == (20, 4)


def test_keys_are_not_shown_in_the_settings_repr():
    settings = load_settings(_env_file=None, openai_api_key="sk-secret-value")
    assert "sk-secret-value" not in repr(settings)


def test_fallbacks_and_last_resort_build_the_chain():
    settings = load_settings(
        _env_file=None,
        ai_provider="groq",
        ai_fallbacks="anthropic:claude-sonnet-4-5, ollama:llama3.1:8b",
    )
    factory_settings = provider_settings(settings)
    assert factory_settings.fallbacks == ("anthropic:claude-sonnet-4-5", "ollama:llama3.1:8b")
    assert factory_settings.last_resort == "local"
    no_last_resort = provider_settings(load_settings(_env_file=None, ai_last_resort="none"))
    assert no_last_resort.last_resort is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"ai_fallbacks": "groq,skynet:t800"},
            "Invalid setting AI_FALLBACKS: unknown model provider",
        ),
        ({"agent_model_knowledge": "nope:x"}, "Invalid setting AGENT_MODEL_KNOWLEDGE: unknown"),
        (
            {"confidence_threshold_high": 0.5, "confidence_threshold_low": 0.6},
            "Invalid setting CONFIDENCE_THRESHOLD_LOW: must not exceed CONFIDENCE_THRESHOLD_HIGH",
        ),
        ({"monthly_budget_usd": -1}, "Invalid setting MONTHLY_BUDGET_USD"),
    ],
)
def test_bad_model_settings_name_the_setting(overrides, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(_env_file=None, **overrides)


def test_per_role_models_default_to_the_main_provider():
    settings = load_settings(
        _env_file=None,
        agent_model_lead_nurturing="anthropic:claude-sonnet-4-5",
        compare_judge_model="openai:gpt-4o",
    )
    # /compare's models are asked one by one, not as chains: they are no role of their own.
    assert role_models(settings) == {
        "agent.lead_nurturing": "anthropic:claude-sonnet-4-5",
        "judge": "openai:gpt-4o",
    }
    assert settings.compare_model_ids() == ["openai", "anthropic", "gemini"]
    assert role_models(load_settings(_env_file=None)) == {}


def test_the_old_judge_model_name_is_still_read(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JUDGE_MODEL", "openai:gpt-4o")

    assert load_settings(_env_file=None).compare_judge_model == "openai:gpt-4o"


def test_the_business_time_zone_defaults_to_business_yml_and_is_checked():
    assert load_settings(_env_file=None).business_zone() == "America/Los_Angeles"
    assert load_settings(_env_file=None, business_time_zone="Europe/Paris").business_zone() == (
        "Europe/Paris"
    )
    with pytest.raises(SettingsError, match=r"(?i)business_time_zone"):
        load_settings(_env_file=None, business_time_zone="Mars/Olympus")
