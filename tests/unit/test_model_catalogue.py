"""The model catalogue: shipped as data, sourced and dated, overridable with MODELS_FILE."""

from datetime import date

import pytest

from agents.providers.catalogue import ModelCatalogue, load_catalogue
from agents.providers.factory import ProviderFactory
from agents.providers.pricing import PriceTable
from agents.providers.settings import ProviderSettings

TODAY = date(2026, 12, 2)


def test_every_entry_names_its_source_and_the_date_it_was_read():
    catalogue = ModelCatalogue.load()
    assert len(catalogue.models) >= 15
    for info in catalogue.models.values():
        assert info.source and info.source.startswith("https://"), info.model_id
        assert info.read_on is not None, info.model_id
        if info.retires_on is not None:
            assert info.replacement, info.model_id


def test_every_named_replacement_has_an_entry_of_its_own_that_is_not_retired():
    # A retirement warning that names a model the catalogue cannot price or check is a dead end.
    catalogue = ModelCatalogue.load()
    for info in catalogue.models.values():
        if info.replacement:
            successor = catalogue.get(info.replacement)
            assert successor is not None, f"{info.model_id} → {info.replacement}"
            assert successor.status(TODAY) != "retired", f"{info.model_id} → {info.replacement}"


def test_each_vendor_default_is_current_priced_or_said_unknown_and_not_retiring():
    catalogue = ModelCatalogue.load()
    for provider in ("openai", "anthropic", "groq", "gemini"):
        model_id = f"{provider}:{catalogue.default_model(provider)}"
        info = catalogue.get(model_id)
        assert info is not None, model_id
        assert info.status(TODAY) == "active", model_id
        assert info.priced or "null" in (info.notes or ""), model_id
    teacher = catalogue.get(catalogue.teacher)
    assert teacher is not None and teacher.status(TODAY) == "active"


@pytest.mark.parametrize(
    ("model_id", "status", "replacement"),
    [
        ("anthropic:claude-sonnet-4-5", "retired", "anthropic:claude-sonnet-5-5"),
        ("groq:llama-3.3-70b-versatile", "retired", "groq:openai/gpt-oss-120b"),
        ("groq:llama-3.1-8b-instant", "retired", "groq:openai/gpt-oss-20b"),
        ("openai:gpt-4.1-nano", "retired", "openai:gpt-6-luna"),
        ("openai:gpt-5-mini", "retiring", "openai:gpt-6.1-terra"),
        ("openai:gpt-4o-mini", "active", "openai:gpt-6-luna"),  # 2027-01-14: 43 days away
    ],
)
def test_the_issues_retirement_facts(model_id, status, replacement):
    info = ModelCatalogue.load().get(model_id)
    assert info.status(TODAY) == status
    assert info.replacement == replacement


def test_models_file_adds_and_overrides_entries_and_defaults(tmp_path):
    extra = tmp_path / "models.yml"
    extra.write_text(
        "defaults: {openai: my-model}\n"
        "models:\n"
        "  openai:my-model: {input: 1.0, output: 2.0, source: https://example.test, "
        "read_on: 2026-12-01}\n"
        "  groq:openai/gpt-oss-20b: {output: 0.40}\n"
    )
    catalogue = load_catalogue(extra)
    factory = ProviderFactory(ProviderSettings(models_file=extra), catalogue=catalogue)
    assert factory.model_id("openai") == "openai:my-model"
    table = PriceTable(catalogue=catalogue)
    assert table.cost("openai", "my-model", input_tokens=10**6, output_tokens=10**6) == 3.0
    # Field by field: the override keeps the bundled input price and context window.
    gpt_oss = catalogue.get("groq:openai/gpt-oss-20b")
    assert (gpt_oss.input, gpt_oss.output, gpt_oss.context_window) == (0.075, 0.40, 131072)


def test_what_a_model_accepts_decides_the_reasoning_effort():
    catalogue = ModelCatalogue.load()
    luna = catalogue.accepts("openai:gpt-6-luna")
    assert (luna.temperature, luna.effort(None), luna.effort("high")) == (False, "low", "high")
    # gpt-oss refuses "none": the chat effort is sent instead.
    assert catalogue.accepts("groq:openai/gpt-oss-20b").effort("none") == "low"
    # A model the catalogue lacks accepts everything and is sent no effort.
    unknown = catalogue.accepts("openai:some-new-model")
    assert unknown.temperature and unknown.effort("low") is None
