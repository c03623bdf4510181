"""The web chat channel: an embeddable widget, signed visitor tokens, messages in, SSE out."""
