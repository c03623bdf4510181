"""Run llama.cpp's OpenAI-compatible server the way the embedded model runs.

``python -m tests.support.llama_server --model FILE --host 127.0.0.1 --port N``
is ``python -m llama_cpp.server`` with one difference: weights load without
llama.cpp's extra buffer types, the workaround `agents.providers.local`
applies for CPUs whose AMX kernels crash (SIGSEGV) where the VM does not
grant tile state. The server is a real peer for the ``openai_compatible``
provider's tests.
"""

from __future__ import annotations

import llama_cpp
from llama_cpp.server.__main__ import main

from agents.providers.local import _without_extra_buffer_types

if __name__ == "__main__":
    # The patch stays on for the server's life: it loads the model at start-up.
    with _without_extra_buffer_types(llama_cpp):
        main()
