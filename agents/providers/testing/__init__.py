"""Fake vendor APIs on 127.0.0.1, speaking each vendor's wire format.

The test doubles of the vendor providers ship with them, as `FunctionProvider`
does: tests and benchmarks import them; nothing at run time does (an
import-linter contract keeps it so). The official SDKs are pointed at them
with their base URL, so the code under test runs unchanged: real HTTP, real
SSE, real SDK parsing. Each fake answers from a script of `Reply` values (429,
500, 529, a stall, a cut stream, invalid JSON, ...) and keeps every request
it received.

- `agents.providers.testing.openai_api`: OpenAI, Groq's and Gemini's copies of its API;
- `agents.providers.testing.anthropic_api`: Anthropic's Messages API;
- `agents.providers.testing.script`: `Reply` and `Script`;
- `agents.providers.testing.server`: `FakeVendor`, `run_fake`.
"""
