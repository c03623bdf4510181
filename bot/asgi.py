"""The ASGI app for uvicorn and other servers: ``uvicorn bot.asgi:app``."""

from bot.api import create_app

app = create_app()
