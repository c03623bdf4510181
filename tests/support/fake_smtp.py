"""A fake SMTP server on 127.0.0.1 that keeps the messages it is sent.

It speaks the part of SMTP (RFC 5321) that `smtplib` uses to send one
message without TLS or login: EHLO/HELO, MAIL FROM, RCPT TO, DATA (ended by
``<CRLF>.<CRLF>``, dot-stuffing undone), RSET, NOOP and QUIT. ``refuse_next``
answers the next MAIL FROM with 451, a server unable to take mail now.
"""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import Message


@dataclass
class FakeSmtp:
    """A running fake: its port, the messages it took, and how to answer next."""

    port: int = 0
    messages: list[Message] = field(default_factory=list)
    refuse_next: bool = False
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def wait_for_messages(self, count: int, *, seconds: float = 10.0) -> list[Message]:
        """The messages once ``count`` have arrived (TimeoutError after ``seconds``)."""
        async with asyncio.timeout(seconds), self._arrived:
            await self._arrived.wait_for(lambda: len(self.messages) >= count)
        return self.messages

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(f"{line}\r\n".encode())

        say("220 fake-smtp ready")
        try:
            while line := (await reader.readline()).decode("utf-8", "replace").rstrip("\r\n"):
                verb = line.split(" ", 1)[0].upper()
                if verb in {"EHLO", "HELO"}:
                    say("250-fake-smtp\r\n250 8BITMIME" if verb == "EHLO" else "250 fake-smtp")
                elif verb == "MAIL" and self.refuse_next:
                    self.refuse_next = False
                    say("451 4.3.0 try again later")
                elif verb in {"MAIL", "RCPT", "RSET", "NOOP"}:
                    say("250 OK")
                elif verb == "DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    await self._data(reader)
                    say("250 OK queued")
                elif verb == "QUIT":
                    say("221 bye")
                    break
                else:
                    say("502 command not implemented")
                await writer.drain()
        finally:
            writer.close()

    async def _data(self, reader: asyncio.StreamReader) -> None:
        lines = []
        while (line := await reader.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        async with self._arrived:
            self.messages.append(email.message_from_bytes(b"".join(lines)))
            self._arrived.notify_all()


@asynccontextmanager
async def run_fake_smtp() -> AsyncIterator[FakeSmtp]:
    """Serve a `FakeSmtp` on a free port of 127.0.0.1 while the block runs."""
    fake = FakeSmtp()
    server = await asyncio.start_server(fake._session, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    try:
        yield fake
    finally:
        server.close()
        await server.wait_closed()
