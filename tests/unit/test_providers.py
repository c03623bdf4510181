import pytest

from agents.errors import ProviderUnavailableError, UnknownProviderError
from agents.providers.base import CallOptions, ChatMessage, Completion
from agents.providers.factory import ProviderFactory, parse_model_id
from agents.providers.function import FunctionProvider, Price
from agents.providers.wrapper import WrapperProvider


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("local", ("local", "smollm2")),
        ("local:smollm2", ("local", "smollm2")),
        ("LOCAL:/models/x.gguf", ("local", "/models/x.gguf")),
        ("function:pkg.mod:fn", ("function", "pkg.mod:fn")),
    ],
)
def test_model_ids(model_id, expected):
    assert parse_model_id(model_id) == expected


def test_unknown_provider_names_the_known_ones():
    with pytest.raises(
        UnknownProviderError,
        match="known providers: anthropic, function, gemini, groq, hybrid, local, ollama, openai",
    ):
        parse_model_id("skynet:t800")


def test_factory_imports_reply_functions_and_caches_providers():
    factory = ProviderFactory()
    provider = factory.create("function:agents.providers.function:echo")

    assert provider is factory.create("function:agents.providers.function:echo")
    assert provider.model_id == "function:agents.providers.function:echo"


def test_factory_reports_a_bad_function_path():
    with pytest.raises(ProviderUnavailableError, match="cannot import 'nowhere:fn'"):
        ProviderFactory().create("function:nowhere:fn")


async def test_function_provider_counts_tokens_and_cost():
    provider = FunctionProvider(lambda m: "two words", price=Price(1_000_000, 2_000_000))
    completion = await provider.complete([ChatMessage("user", "three little words")])

    assert (completion.text, completion.input_tokens, completion.output_tokens) == (
        "two words",
        3,
        2,
    )
    assert completion.cost_usd == pytest.approx(3 * 1 + 2 * 2)
    assert provider.calls == [[ChatMessage("user", "three little words")]]


async def test_function_provider_awaits_async_functions_and_passes_completions():
    async def reply(_messages):
        return Completion(text="hi", model="m", provider="p", cost_usd=None)

    completion = await FunctionProvider(reply).complete([ChatMessage("user", "x")])
    assert completion.cost_usd is None and completion.model_id == "p:m"


def test_a_chain_is_the_primary_then_fallbacks_then_the_last_resort():
    from agents.providers.factory import ProviderSettings

    factory = ProviderFactory(
        ProviderSettings(
            default_provider="function:echo",
            fallbacks=("function:agents.providers.function:echo", "function:echo"),
            last_resort="function:tests.conftest:polite_reply",
        )
    )
    chain = factory.default()
    assert chain.chain_ids == [
        "function:echo",
        "function:agents.providers.function:echo",
        "function:tests.conftest:polite_reply",
    ]
    # A role without its own model gets the same chain; one with a model gets its own.
    assert factory.for_role("judge").chain_ids == chain.chain_ids


def test_a_chain_of_one_is_the_provider_itself():
    from agents.providers.factory import ProviderSettings

    factory = ProviderFactory(ProviderSettings(default_provider="function:echo", last_resort=None))
    assert factory.default() is factory.create("function:echo")


def test_default_models_come_from_the_settings():
    from agents.providers.factory import ProviderSettings

    factory = ProviderFactory(ProviderSettings(default_models={"groq": "llama-3.1-8b-instant"}))
    assert factory.model_id("groq") == "groq:llama-3.1-8b-instant"
    assert factory.model_id("openai_compatible:qwen2.5") == "ollama:qwen2.5"


async def test_a_wrapper_passes_calls_and_options_to_its_first_member():
    inner = FunctionProvider(lambda _m: "Hello there", model="inner")
    wrapper = WrapperProvider(inner, FunctionProvider(lambda _m: "unused", model="other"))
    options = CallOptions(max_tokens=12, temperature=0.0)

    answer = await wrapper.complete([ChatMessage("user", "hi")], options)
    events = [e async for e in wrapper.stream([ChatMessage("user", "hi")], options)]

    assert wrapper.model_id == "function:inner" and answer.text == "Hello there"
    assert isinstance(events[-1], Completion) and "".join(events[:-1]) == "Hello there"
    assert inner.options == [options, options]
    assert wrapper.cooling_down() == 0.0 and await wrapper.ready()
