"""Model providers: one interface (`ModelProvider`), many backends, one factory."""

from agents.providers.base import ChatMessage, Completion, ModelProvider, StreamEvent
from agents.providers.factory import ProviderFactory, parse_model_id
from agents.providers.function import FunctionProvider, Price
from agents.providers.settings import ProviderSettings

__all__ = [
    "ChatMessage",
    "Completion",
    "FunctionProvider",
    "ModelProvider",
    "Price",
    "ProviderFactory",
    "ProviderSettings",
    "StreamEvent",
    "parse_model_id",
]
