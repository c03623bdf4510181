"""Structured output for any backend: validate, re-ask with the errors, report clearly."""

import pytest
from pydantic import BaseModel, Field

from agents.errors import OutputTruncatedError, RefusalError, StructuredOutputError
from agents.providers.base import REFUSAL, CallOptions, ChatMessage, Completion
from agents.providers.function import FunctionProvider
from agents.providers.local import context_full
from agents.providers.structured import MAX_REPAIRS, extract_json

QUESTION = [ChatMessage("system", "You score leads."), ChatMessage("user", "Score Acme Corp.")]


class LeadScore(BaseModel):
    company: str
    score: int = Field(ge=0, le=100)


def scripted(*answers):
    """A reply function that gives ``answers`` in order (str or Completion)."""
    queue = list(answers)
    return FunctionProvider(lambda _messages: queue.pop(0), model="scripted")


async def test_a_valid_answer_is_parsed_and_the_schema_is_in_the_prompt():
    provider = scripted('{"company": "Acme Corp", "score": 72}')

    completion = await provider.complete(QUESTION, CallOptions(response_schema=LeadScore))

    assert completion.parsed == LeadScore(company="Acme Corp", score=72)
    system = provider.calls[0][0]
    assert system.role == "system" and system.content.startswith("You score leads.")
    assert '"score"' in system.content and "JSON" in system.content
    assert [call.role for call in completion.call_log] == ["answer"]


async def test_an_invalid_answer_is_sent_back_with_its_errors_then_accepted():
    provider = scripted(
        '{"company": "Acme Corp", "score": 720}', '{"company": "Acme", "score": 72}'
    )

    completion = await provider.complete(QUESTION, CallOptions(response_schema=LeadScore))

    assert completion.parsed.score == 72
    repair = provider.calls[1]
    assert repair[-2] == ChatMessage("assistant", '{"company": "Acme Corp", "score": 720}')
    assert "score: Input should be less than or equal to 100" in repair[-1].content
    assert [call.role for call in completion.call_log] == ["answer", "repair"]


async def test_gives_up_after_two_repairs_with_a_typed_error_saying_what_was_wrong():
    provider = scripted("not json", "still not", '{"company": "Acme"}')

    with pytest.raises(StructuredOutputError) as caught:
        await provider.complete(QUESTION, CallOptions(response_schema=LeadScore))

    assert len(provider.calls) == MAX_REPAIRS + 1
    assert caught.value.errors == ["score: Field required"]
    assert "no valid LeadScore after 3 tries" in str(caught.value)
    assert len(caught.value.calls) == 3  # every attempt is still logged for its cost


async def test_truncation_is_reported_as_truncation_not_as_bad_json():
    provider = scripted(
        Completion(text='{"company": "Ac', model="m", provider="p", finish_reason="length")
    )

    with pytest.raises(OutputTruncatedError, match="max_tokens=256"):
        await provider.complete(QUESTION, CallOptions(response_schema=LeadScore))
    assert len(provider.calls) == 1  # re-asking with the same budget would truncate again


async def test_a_full_context_window_is_told_apart_from_max_tokens():
    provider = scripted(
        Completion(
            text='{"company": "Ac',
            model="smollm2",
            provider="local",
            input_tokens=1900,
            output_tokens=147,
            finish_reason="length",
            extras={"context_full": True},
        )
    )

    with pytest.raises(OutputTruncatedError, match="ran out of context after 147 tokens"):
        await provider.complete(QUESTION, CallOptions(response_schema=LeadScore))


def test_the_embedded_model_knows_when_its_context_was_full():
    assert context_full("length", (1900, 147), 2048)
    assert not context_full("length", (100, 256), 2048)  # max_tokens reached first
    assert not context_full("stop", (1900, 147), 2048)


async def test_a_refusal_is_reported_as_a_refusal():
    provider = scripted(
        Completion(text="I can't help with that.", model="m", provider="p", finish_reason=REFUSAL)
    )

    with pytest.raises(RefusalError, match="can't help"):
        await provider.complete(QUESTION, CallOptions(response_schema=LeadScore))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('Sure! Here it is: {"a": 1} Hope that helps.', '{"a": 1}'),
        ('  {"a": 1}  ', '{"a": 1}'),
    ],
)
def test_json_is_found_inside_fences_and_chatter(text, expected):
    assert extract_json(text) == expected


async def test_a_schema_that_is_not_a_pydantic_model_is_refused():
    with pytest.raises(TypeError, match="pydantic model"):
        await scripted("{}").complete(QUESTION, CallOptions(response_schema=dict))


async def test_the_options_reach_the_backend_and_a_stream_refuses_a_schema():
    provider = scripted('{"company": "Acme Corp", "score": 72}', "Acme looks keen.")
    options = CallOptions(max_tokens=90, temperature=0.0, response_schema=LeadScore)

    await provider.complete(QUESTION, options)
    await provider.complete(QUESTION)

    asked, plain = provider.options
    assert (asked.max_tokens, asked.temperature, asked.schema_name) == (90, 0.0, "LeadScore")
    assert asked.json_schema == LeadScore.model_json_schema()
    assert plain == CallOptions() and plain.json_schema is None
    with pytest.raises(ValueError, match="response_schema"):
        provider.stream(QUESTION, options)
