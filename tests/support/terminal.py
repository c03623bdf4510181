"""``bot`` in a pseudo-terminal, as a person runs it: typed keys, Ctrl-C as a terminal sends it."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

#: What the terminal sends for Ctrl-C (its line discipline turns it into SIGINT).
CTRL_C = b"\x03"


class Terminal:
    """One ``python -m bot ARGS`` on a pty; `expect` waits for output, `type` sends keys."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.output = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the bot
            os.chdir(cwd)
            os.execvpe(sys.executable, [sys.executable, "-m", "bot", *args], env)
        self.status: int | None = None

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def expect(self, token: str, timeout: float = 120.0, *, count: int = 1) -> None:
        """Wait until ``token`` has been printed (``count`` times in all: a second
        prompt is not the first one again); fail with what was printed otherwise."""
        deadline = time.monotonic() + timeout
        while self.output.count(token.encode()) < count:
            assert time.monotonic() < deadline, f"no {token!r} x{count} in:\n{self.text}"
            if not self._read(0.2):
                assert self.output.count(token.encode()) >= count, (
                    f"ended without {token!r} x{count}:\n{self.text}"
                )

    def wait(self, timeout: float = 60.0) -> int:
        """The exit status once the process ends (reading what it prints meanwhile)."""
        deadline = time.monotonic() + timeout
        while self.status is None:
            assert time.monotonic() < deadline, f"still running:\n{self.text}"
            self._read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        while self._read(0.05):
            pass
        return self.status

    def close(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.status = -signal.SIGKILL
        os.close(self.fd)

    def _read(self, timeout: float) -> bool:
        """Read what is there; False once the terminal is closed."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.output += chunk
        return bool(chunk)
