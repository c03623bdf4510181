import socket

import pytest

from tests.support.network_guard import NetworkAccessError, is_local


def test_connections_beyond_loopback_fail():
    with socket.socket() as sock, pytest.raises(NetworkAccessError):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed anyway


def test_public_names_are_not_even_looked_up():
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("api.openai.com", 443)


def test_loopback_is_allowed():
    assert is_local("127.0.0.1") and is_local("localhost") and is_local("::1")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
