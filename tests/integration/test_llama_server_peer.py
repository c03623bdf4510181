"""OpenAICompatibleProvider against a real peer: llama.cpp's own OpenAI-compatible server.

The server (``llama_cpp.server``, from ``llama-cpp-python[server]``) serves the
bundled SmolLM2 on a free loopback port for this module's tests.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel

from agents.providers.base import CallOptions, ChatMessage, Completion
from agents.providers.local import bundled_model_path
from agents.providers.openai_compatible import OpenAICompatibleProvider
from agents.providers.resilience import Timeouts

pytestmark = pytest.mark.embedded_model

ROOT = Path(__file__).resolve().parents[2]
ASK = [
    ChatMessage("system", "You are a helpful assistant. Answer in one short sentence."),
    ChatMessage("user", "What is the capital of France?"),
]
START_TIMEOUT_S = 90


class Capital(BaseModel):
    city: str
    country: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's server on the bundled model; its base URL (…/v1)."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    command = [
        sys.executable,
        "-m",
        "tests.support.llama_server",
        "--model",
        str(bundled_model_path()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "1024",
        "--n_threads",
        "2",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(process, url, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"llama.cpp's server exited with {process.returncode}:\n"
                + log_path.read_text(errors="replace")[-3000:]
            )
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"llama.cpp's server did not answer within {START_TIMEOUT_S} s")


@pytest.fixture
async def provider(server_url: str) -> AsyncIterator[OpenAICompatibleProvider]:
    model = OpenAICompatibleProvider(
        "smollm2", base_url=server_url, timeouts=Timeouts(total=60, stream_idle=30)
    )
    yield model
    await model.aclose()


async def test_complete_against_llama_cpp_server(provider: OpenAICompatibleProvider):
    completion = await provider.complete(ASK, CallOptions(max_tokens=24, temperature=0.0))

    assert completion.text.strip()
    assert completion.model_id == "ollama:smollm2"
    assert completion.input_tokens > 10 and 0 < completion.output_tokens <= 24
    assert completion.finish_reason in {"stop", "length"}
    assert completion.cost_usd == 0.0


async def test_stream_against_llama_cpp_server(provider: OpenAICompatibleProvider):
    deltas: list[str] = []
    final: Completion | None = None
    async for event in provider.stream(ASK, CallOptions(max_tokens=24, temperature=0.0)):
        if isinstance(event, Completion):
            final = event
        else:
            deltas.append(event)

    assert final is not None and final.text.strip()
    assert "".join(deltas) == final.text and len(deltas) > 1
    assert final.finish_reason in {"stop", "length"}
    # llama.cpp's Python server sends no usage in a stream: nothing counted, nothing billed.
    assert final.cost_usd == 0.0


async def test_structured_output_against_llama_cpp_server(provider: OpenAICompatibleProvider):
    # json_object plus "schema": llama.cpp's server turns the schema into a grammar,
    # so even a 135M model answers with an object that validates.
    completion = await provider.complete(
        [ChatMessage("user", "What is the capital of France?")],
        CallOptions(max_tokens=64, temperature=0.0, response_schema=Capital),
    )

    assert isinstance(completion.parsed, Capital) and completion.parsed.city.strip()
    assert completion.cost_usd == 0.0
