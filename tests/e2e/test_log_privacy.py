"""No personal data in what the bot's processes log, and no logging errors.

Two real processes: ``bot serve`` answering requests whose query strings
carry each corpus value (uvicorn's access log, as a client would encode
them), and a process that logs the corpus through the bot's logging setup
as arguments, inside exception tracebacks, through uvicorn's error log, and
in real database errors naming a customer (`tests.support.log_privacy`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote, unquote_plus

import httpx
import pytest

from bot.testing.processes import ROOT
from tests.support.cli import bot_env
from tests.support.log_privacy import NAME
from tests.support.pii_corpus import CORPUS, NOT_PII, Case

# What logging prints when a formatter fails on a record (the old access-log bug).
LOGGING_FAILURES = ("Traceback", "--- Logging error ---", "TypeError")


def leaked(output: str) -> list[str]:
    """The corpus cases found in ``output``, in any encoding, or as their bare digits."""
    digit_lines = [re.sub(r"[^0-9]", "", line) for line in output.splitlines()]
    found = []
    for case in CORPUS:
        forms = {case.value, unquote(case.value), unquote_plus(case.value), quote(case.value)}
        forms.add(quote(case.value, safe=""))
        digits = re.sub(r"[^0-9]", "", unquote(case.value))
        if any(form in output for form in forms) or (
            case.kind != "EMAIL" and any(digits in line for line in digit_lines)
        ):
            found.append(case.name)
    return found


def as_sent(case: Case) -> list[tuple[str, str]]:
    """The value as clients put it in a query string (lightly, fully encoded), and its mask."""
    if "%" in case.value:  # written already encoded
        return [(case.value, case.expected)]
    scheme = case.expected.removesuffix(f"[{case.kind}]")  # "tel:" stays, encoded as sent
    return [
        (quote(case.value, safe=safe), quote(scheme, safe=safe) + f"[{case.kind}]")
        for safe in ("+@()':,", "")
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(client: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            pytest.fail(f"bot serve exited:\n{log.read_text()}")
        try:
            client.get("/healthz", timeout=1)
            return
        except httpx.TransportError:
            with contextlib.suppress(subprocess.TimeoutExpired):  # a pause, or its exit
                process.wait(timeout=0.1)
    pytest.fail(f"bot serve did not answer:\n{log.read_text()}")


def test_bot_serve_access_log_shows_no_personal_data(tmp_path: Path):
    port = _free_port()
    log = tmp_path / "serve.log"
    env = bot_env(tmp_path, LOG_LEVEL="INFO", AI_PROVIDER="function")
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
    sent: list[tuple[str, str]] = []
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out, stderr=out)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                _wait_until_up(client, process, log)
                for number, case in enumerate(CORPUS):
                    for variant, (value, masked) in enumerate(as_sent(case)):
                        marker = f"{number}v{variant}"
                        client.get(f"/healthz?case={marker}&to={value}")
                        sent.append((marker, masked))
                for number, text in enumerate(NOT_PII):
                    client.get(f"/healthz?case=n{number}&q={quote(text)}")
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    output = log.read_text()

    assert len(sent) >= 80
    assert leaked(output) == []
    for marker, masked in sent:  # every request logged, its value masked whole
        assert f"GET /healthz?case={marker}&to={masked} HTTP/1.1" in output
    for number, text in enumerate(NOT_PII):  # and what only looks like data kept
        assert f"GET /healthz?case=n{number}&q={quote(text)} HTTP/1.1" in output
    assert not [failure for failure in LOGGING_FAILURES if failure in output], output


def test_logged_values_tracebacks_and_database_errors_show_no_personal_data(tmp_path: Path):
    urls = [f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"]
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        urls.append(os.environ["TEST_DATABASE_URL"])
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.log_privacy", *urls],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stderr + result.stdout  # uvicorn writes its access log to stdout

    assert result.returncode == 0, output
    assert "log privacy run complete" in output
    assert leaked(output) == []
    assert NAME not in output and "Quellenberg" not in output
    for number, case in enumerate(CORPUS):
        assert f"case {number}: value {case.expected} end" in output
        assert f"case {number}: inline {case.expected} end" in output
        assert f"ValueError: case {number}: not valid {case.expected} end" in output
        if "%" in case.value:  # served: uvicorn's error and access logs
            assert f"cannot read case={number}&to={case.expected} end" in output
            assert f'"GET /?case={number}&to={case.expected} HTTP/1.1" 500' in output
    assert output.count("Exception in ASGI application") == sum("%" in c.value for c in CORPUS)
    assert output.count("[SQL parameters hidden due to hide_parameters=True]") >= 2 * len(urls)
    if len(urls) == 2:
        assert "DETAIL:  Failing row contains [VALUES]." in output
    assert "--- Logging error ---" not in output and "TypeError" not in output
