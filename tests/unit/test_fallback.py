"""The fallback chain: the first provider that answers serves; the rest is on record."""

import pytest

from agents.errors import AllProvidersFailedError, ProviderAuthError, ProviderServerError
from agents.providers.base import CallOptions, CallRecord, ChatMessage, Completion
from agents.providers.fallback import FallbackProvider
from agents.providers.function import FunctionProvider

QUESTION = [ChatMessage("user", "Do you cater weddings?")]


def failing(error):
    def reply(_messages):
        raise error

    return FunctionProvider(reply, model="down")


def server_error(model="down"):
    failed = CallRecord("function", model, outcome="server_error", error="boom")
    return ProviderServerError("boom: 503", provider="function", calls=[failed, failed])


async def test_the_next_provider_answers_and_the_answer_says_why():
    chain = FallbackProvider([failing(server_error()), FunctionProvider(lambda _: "Yes we do.")])

    completion = await chain.complete(QUESTION)

    assert completion.text == "Yes we do."
    assert completion.extras["fallback"] == {
        "served_by": "function:function",
        "skipped": [{"model": "function:down", "reason": "server_error", "detail": "boom: 503"}],
    }
    # Both failed attempts of the first provider are logged, then the answer.
    assert [call.outcome for call in completion.call_log] == ["server_error", "server_error", "ok"]


async def test_a_chain_presents_itself_as_its_primary():
    chain = FallbackProvider([FunctionProvider(lambda _: "a", model="first"), failing(Exception())])
    assert chain.model_id == "function:first"
    assert chain.chain_ids == ["function:first", "function:down"]


async def test_when_every_provider_fails_the_error_lists_each_reason():
    chain = FallbackProvider(
        [failing(server_error()), failing(ProviderAuthError("bad key", provider="function"))]
    )

    with pytest.raises(AllProvidersFailedError) as caught:
        await chain.complete(QUESTION)

    assert "function:down: boom: 503; function:down: bad key" in str(caught.value)
    assert len(caught.value.calls) == 2
    assert [s["reason"] for s in caught.value.skipped] == ["server_error", "auth_error"]


async def test_a_stream_falls_back_while_nothing_was_said():
    chain = FallbackProvider([failing(server_error()), FunctionProvider(lambda _: "Yes we do.")])

    events = [event async for event in chain.stream(QUESTION)]

    assert "".join(e for e in events if isinstance(e, str)) == "Yes we do."
    assert events[-1].extras["fallback"]["served_by"] == "function:function"


async def test_a_stream_that_breaks_after_speaking_does_not_switch_voices():
    class Chatty(FunctionProvider):
        async def stream(self, messages, options=None):
            yield "Yes, "
            raise server_error()

    second = FunctionProvider(lambda _: "unused")
    chain = FallbackProvider([Chatty(lambda _: ""), second])

    with pytest.raises(ProviderServerError):
        async for _event in chain.stream(QUESTION):
            pass
    assert second.calls == []


async def test_structured_output_is_asked_of_whichever_provider_answers():
    from pydantic import BaseModel

    class Answer(BaseModel):
        yes: bool

    chain = FallbackProvider([failing(server_error()), FunctionProvider(lambda _: '{"yes": true}')])
    completion = await chain.complete(QUESTION, CallOptions(response_schema=Answer))
    assert completion.parsed == Answer(yes=True)


def test_an_empty_chain_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        FallbackProvider([])


def test_completion_after_keeps_earlier_calls_first():
    earlier = [CallRecord("openai", "gpt-4o-mini", outcome="rate_limited")]
    completion = Completion(text="hi", model="m", provider="p").after(earlier)
    assert [c.outcome for c in completion.call_log] == ["rate_limited", "ok"]
