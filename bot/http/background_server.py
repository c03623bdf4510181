"""Serving an ASGI app on loopback inside the current event loop.

For tests and benchmarks that want real HTTP without another process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn


@asynccontextmanager
async def serve_in_background(app: Any, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run ``app`` under uvicorn on a free port; yield its base URL; stop it after.

    uvicorn's own ``serve()`` installs signal handlers and polls for shutdown
    every 0.1 s; calling its public startup and shutdown steps directly avoids
    both, halving what each test that starts a server waits.
    """
    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="on")
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    if server.should_exit:  # startup failed (port, lifespan); uvicorn has logged why
        raise RuntimeError(f"uvicorn could not start {app!r}")
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{host}:{port}"
    finally:
        await server.shutdown()
