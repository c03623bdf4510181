"""The fake OpenAI API's ``POST /v1/embeddings``: deterministic vectors, OpenAI's wire format.

Each input's vector counts its words hashed into `DIMENSIONS` buckets: texts
sharing words point the same way, which is all a test of the wiring needs (what
a real model's vectors are worth cannot be measured here). The request body is
recorded in the script like a chat request's; a `Reply` with another status
answers with OpenAI's error body.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agents.providers.testing.script import Reply, Script

DIMENSIONS = 64
_WORD = re.compile(r"[a-z0-9]+")


def fake_vector(text: str) -> list[float]:
    """The fake model's vector of ``text``: its words hashed into buckets."""
    vector = [0.0] * DIMENSIONS
    for word in _WORD.findall(text.lower()):
        bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=2).digest(), "big")
        vector[bucket % DIMENSIONS] += 1.0
    return vector


def embeddings_endpoint(script: Script, error: Any) -> Any:
    """The route handler; ``error`` builds an error response from a `Reply`."""

    async def embeddings(request: Request) -> Response:
        body = await request.json()
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token:
            script.requests.append(body)
            return error(Reply(status=401, error_message="You didn't provide an API key."))
        reply = script.take(body, dict(request.headers))
        if reply.status != 200:
            return error(reply)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": fake_vector(text)}
            for i, text in enumerate(inputs)
        ]
        tokens = sum(len(_WORD.findall(str(text))) for text in inputs)
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    return embeddings
