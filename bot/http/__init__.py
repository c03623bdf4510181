"""The HTTP side of `bot serve`: the FastAPI app and the routes every feature shares.

- `app`: `create_app` and health; it includes `messages` (``POST /api/v1/messages``) and each
  feature's router. `asgi`: the app for ``uvicorn bot.http.asgi:app``.
- `common`, `fields`, `schema`, `docs`: the token check and error shape, field
  types, the published OpenAPI schema and ``/docs``.
- `feedback`, `contacts`, `stored`: ratings, a contact's data, a stored reply.
- `background_server`: an app served on loopback in this event loop (tests, benchmarks).
"""
