"""Routing by example utterances: which agent (or a person) answers a message.

`build_router` reads the business folder's ``routing.yml`` into an `ExampleRouter`
(lexical similarity, plus the embedded model's sentence vectors when
``ROUTER_EMBEDDINGS`` is on); a business without the file gets the `KeywordRouter`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from agents.routing.base import Router
from agents.routing.examples import ROUTING_FILE, RoutingConfigError, RoutingExamples
from agents.routing.keywords import KeywordRouter
from agents.routing.router import ExampleRouter

log = logging.getLogger(__name__)

__all__ = ["ExampleRouter", "RoutingConfigError", "RoutingExamples", "build_router"]


def build_router(business_dir: Path, *, embeddings: bool = True) -> Router:
    """The router for the business in ``business_dir``."""
    examples = RoutingExamples.from_folder(business_dir)
    if examples is None:
        log.info("no %s in %s: routing by keywords", ROUTING_FILE, business_dir)
        return KeywordRouter()
    return ExampleRouter(examples, embeddings=embeddings)
