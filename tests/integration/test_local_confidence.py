"""The embedded model's log-probabilities and grammar-constrained JSON, for real.

Marked ``embedded_model`` like the other tests that run llama.cpp on SmolLM2.
"""

from __future__ import annotations

import math

import pytest
from pydantic import BaseModel

from agents.providers.base import CallOptions, ChatMessage
from agents.providers.function import FunctionProvider
from agents.providers.hybrid import HybridProvider
from agents.providers.local import LocalProvider, bundled_model_path
from agents.providers.local_model import _chat_formatter, _without_extra_buffer_types
from agents.providers.local_sampling import TokenLogprobs

pytestmark = pytest.mark.embedded_model

QUESTION = [
    ChatMessage("system", "You are a helpful assistant. Answer in one short sentence."),
    ChatMessage("user", "What color is the sky on a clear day?"),
]


class Sky(BaseModel):
    color: str
    clear: bool


async def test_logprobs_give_a_confidence_and_cost_nothing_when_not_asked():
    provider = LocalProvider()

    sure = await provider.complete(
        QUESTION, CallOptions(max_tokens=24, temperature=0.0, logprobs=True)
    )
    plain = await provider.complete(QUESTION, CallOptions(max_tokens=24, temperature=0.0))

    assert sure.confidence is not None and 0.0 < sure.confidence <= 1.0
    assert plain.confidence is None
    assert sure.text == plain.text  # scoring does not change what is sampled


def test_the_scorer_matches_llama_cpps_own_logprobs():
    """llama.cpp's logprobs need logits_all=True (costly); the scorer must give the same numbers."""
    import llama_cpp

    with _without_extra_buffer_types(llama_cpp):
        llama = llama_cpp.Llama(
            model_path=str(bundled_model_path()), n_ctx=256, logits_all=True, verbose=False
        )
    try:
        prompt = _chat_formatter(llama)(
            messages=[{"role": m.role, "content": m.content} for m in QUESTION]
        )
        tokens = llama.tokenize(
            prompt.prompt.encode(), add_bos=not prompt.added_special, special=True
        )
        scorer = TokenLogprobs()
        out = llama.create_completion(
            prompt=tokens,
            max_tokens=64,
            temperature=0.0,
            stop=prompt.stop,
            stopping_criteria=prompt.stopping_criteria,
            logprobs=1,
            logits_processor=llama_cpp.LogitsProcessorList([scorer]),
        )
    finally:
        llama.close()
    theirs = out["choices"][0]["logprobs"]["token_logprobs"]

    # A natural stop: every answer token is scored (the end-of-turn token is not, nor by them).
    assert out["choices"][0]["finish_reason"] == "stop"
    assert len(scorer.logprobs) == len(theirs) > 5
    assert scorer.logprobs == pytest.approx(theirs, abs=1e-4)
    assert scorer.confidence == pytest.approx(math.exp(sum(theirs) / len(theirs)), abs=1e-4)


async def test_a_schema_is_enforced_by_the_grammar():
    provider = LocalProvider()
    assert provider.native_structured_output

    completion = await provider.complete(
        QUESTION, CallOptions(max_tokens=40, temperature=0.0, response_schema=Sky, logprobs=True)
    )

    assert isinstance(completion.parsed, Sky)
    assert [call.role for call in completion.call_log] == ["answer"]  # valid the first time
    # Scored against what the grammar allowed, forced syntax left out: not near zero.
    assert completion.confidence is not None and completion.confidence > 0.1


async def test_the_local_student_decides_by_its_logprobs():
    teacher = FunctionProvider(lambda _m: "Blue.", model="teacher")
    provider = HybridProvider(LocalProvider(), teacher, high=0.99, low=0.0)

    completion = await provider.complete(QUESTION, CallOptions(max_tokens=24, temperature=0.0))

    info = completion.extras["hybrid"]
    assert info["method"] == "logprobs" and info["student"] == "local:smollm2"
    assert info["decision"] == "teacher" and completion.text == "Blue."
    assert [call.role for call in completion.call_log] == ["student", "teacher"]
