"""Fail any connection beyond this machine: tests never reach the internet.

Patches `socket.socket.connect`/`connect_ex` (which asyncio's default loop,
httpx, asyncpg and the vendor SDKs all end up calling) and `socket.getaddrinfo`
(so not even a DNS look-up of a public name leaves the machine).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NetworkAccessError(RuntimeError):
    """A test tried to reach beyond 127.0.0.1."""


def is_local(host: Any) -> bool:
    """Whether ``host`` names this machine (loopback address or localhost)."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]")
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _check(address: Any, family: int) -> None:
    if family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not is_local(host):
        raise NetworkAccessError(f"tests must not connect beyond 127.0.0.1 (tried {address!r})")


_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    _check(address, self.family)
    return _original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    _check(address, self.family)
    return _original_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not is_local(host):
        raise NetworkAccessError(f"tests must not look up {host!r}: only 127.0.0.1 is reachable")
    return _original_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    """Turn the guard on for the rest of the process."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo
