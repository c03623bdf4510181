"""`LocalProvider`: the embedded default model, llama.cpp in-process.

It needs no key and no network: `agents.providers.local_model` finds the
bundled GGUF file and loads it once per process.

llama.cpp's `Llama` object is not thread-safe, so every call takes the loaded
model's lock inside a worker thread; the event loop only awaits. A semaphore
bounds how many calls hold a worker thread at a time, so a burst queues
cheaply instead of filling the thread pool.

Log-probabilities (``logprobs=True``, for the hybrid's confidence) come from
`agents.providers.local_sampling.TokenLogprobs`, which says why not from
llama-cpp-python's own ``logprobs``. Structured output: ``CallOptions.json_schema``
becomes a llama.cpp grammar (GBNF), so the sampler can only write JSON of that
shape; `agents.providers.structured` still validates it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

from agents.errors import ProviderError
from agents.providers.base import (
    BackendProvider,
    CallOptions,
    ChatMessage,
    Completion,
    StreamEvent,
)
from agents.providers.local_model import (
    BUNDLED_MODEL_NAME,
    _load,
    _loaded,
    _LoadedModel,
    _without_extra_buffer_types,
    bundled_model_path,
    resolve_model_path,
)
from agents.providers.local_sampling import TokenLogprobs, grammar_for

# Loading lives in local_model; these names stay importable from here.
__all__ = [
    "BUNDLED_MODEL_NAME",
    "LocalProvider",
    "_loaded",
    "_without_extra_buffer_types",
    "bundled_model_path",
    "resolve_model_path",
]


class LocalProvider(BackendProvider):
    """llama.cpp on a GGUF file, run in worker threads."""

    provider = "local"
    native_structured_output = True

    def __init__(
        self,
        model: str = BUNDLED_MODEL_NAME,
        *,
        model_path: str | Path | None = None,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        max_concurrency: int = 2,
    ) -> None:
        self.model = model
        self._path = resolve_model_path(model, model_path)
        self._n_ctx = n_ctx
        self._n_threads = n_threads or max(1, min(4, _cpu_count()))
        self._slots = asyncio.Semaphore(max_concurrency)

    @property
    def path(self) -> Path:
        """The GGUF file this provider runs."""
        return self._path

    def _model(self) -> _LoadedModel:
        return _load(self._path, n_ctx=self._n_ctx, n_threads=self._n_threads)

    async def warm_up(self) -> None:
        """Load the model now rather than on the first message."""
        await asyncio.to_thread(self._model)

    async def ready(self) -> bool:
        return self._path.is_file()

    async def _complete(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        completion: Completion | None = None
        async for event in self._stream(messages, options):
            if isinstance(event, Completion):
                completion = event
        assert completion is not None  # a run always ends with a Completion
        return completion

    async def _stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        """Generate in a worker thread, passing its events to the event loop."""
        payload = [{"role": m.role, "content": m.content} for m in messages]
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        cancelled = threading.Event()

        def emit(kind: str, value: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

        def run() -> None:
            try:
                model = self._model()
                with model.lock:
                    for kind, value in _generate(model, payload, options, cancelled):
                        emit(kind, value)
            except Exception as exc:  # handed to the awaiting side, raised there
                emit("error", exc)
            finally:
                emit("end", None)

        async with self._slots:
            started = time.perf_counter()
            worker = loop.run_in_executor(None, run)
            try:
                finish_reason, usage, confidence = "stop", (0, 0), None
                text_parts: list[str] = []
                while True:
                    kind, value = await queue.get()
                    if kind == "delta":
                        text_parts.append(value)
                        yield value
                    elif kind == "done":
                        finish_reason, usage, confidence = value
                    elif kind == "error":
                        raise _translate(value)
                    else:
                        break
            finally:
                # A consumer that stops early must not leave the model generating.
                cancelled.set()
                await worker
        yield Completion(
            text="".join(text_parts).strip(),
            model=self.model,
            provider=self.provider,
            input_tokens=usage[0],
            output_tokens=usage[1],
            cost_usd=0.0,
            latency_ms=(time.perf_counter() - started) * 1000,
            finish_reason=finish_reason,
            confidence=confidence,
            # Stopped by the end of the context window, not by max_tokens: the fix differs.
            extras={"context_full": True}
            if context_full(finish_reason, usage, self._n_ctx)
            else {},
        )


def context_full(finish_reason: str, usage: tuple[int, int], n_ctx: int) -> bool:
    """Whether a ``length`` stop came from a full context window (prompt + output)."""
    return finish_reason == "length" and sum(usage) >= n_ctx - 1


def _generate(
    model: _LoadedModel,
    payload: list[dict[str, str]],
    options: CallOptions,
    cancelled: threading.Event,
) -> Iterator[tuple[str, Any]]:
    """Run one chat completion in this (worker) thread, yielding events.

    The prompt is rendered with the model's own chat template and tokenized
    here, as llama-cpp-python's chat handler does, so the input token count
    is exact; llama.cpp's stream carries no usage figures.
    """
    llama = model.llama
    prompt = model.formatter(messages=payload)
    tokens = llama.tokenize(
        prompt.prompt.encode("utf-8"), add_bos=not prompt.added_special, special=True
    )
    grammar = grammar_for(json.dumps(options.json_schema)) if options.json_schema else None
    scorer = None
    if options.logprobs:
        scorer = TokenLogprobs(grammar=grammar, vocab=llama._model.vocab)
    try:
        yield from _sample(llama, prompt, tokens, options, grammar, scorer, cancelled)
    finally:
        if scorer is not None:
            scorer.close()


def _sample(
    llama: Any,
    prompt: Any,
    tokens: list[int],
    options: CallOptions,
    grammar: Any,
    scorer: TokenLogprobs | None,
    cancelled: threading.Event,
) -> Iterator[tuple[str, Any]]:
    import llama_cpp

    chunks = llama.create_completion(
        prompt=tokens,
        max_tokens=options.max_tokens,
        temperature=options.temperature,
        stop=prompt.stop,
        stopping_criteria=prompt.stopping_criteria,
        # Small models loop ("a variety of food, a variety of food..."); penalise repeats.
        repeat_penalty=1.3,
        logits_processor=llama_cpp.LogitsProcessorList([scorer]) if scorer else None,
        grammar=grammar,
        stream=True,
    )
    parts: list[str] = []
    finish_reason = "stop"
    for chunk in chunks:
        if cancelled.is_set():
            finish_reason = "cancelled"
            break
        choice = chunk["choices"][0]
        if choice.get("text"):
            parts.append(choice["text"])
            yield "delta", choice["text"]
        if choice.get("finish_reason"):
            finish_reason = choice["finish_reason"]
    output = "".join(parts)
    output_tokens = len(llama.tokenize(output.encode("utf-8"), add_bos=False)) if output else 0
    confidence = scorer.confidence if scorer else None
    yield "done", (finish_reason, (len(tokens), output_tokens), confidence)


def _translate(exc: BaseException) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    return ProviderError(f"local model failed: {exc}", provider="local")


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
