"""What the embedded model samples with: JSON-schema grammars, and a log-probability scorer.

Why a scorer of our own: llama-cpp-python returns log-probabilities only from
a model loaded with ``logits_all=True``, which keeps the logits of every prompt
position. With SmolLM2's 49,152-token vocabulary that cost, measured on a
773-token prompt, about 335 MB more memory (586 MB resident instead of 250) and
40-60% more CPU per call, on every call, whether it wants log-probabilities or
not. `TokenLogprobs` reads the same numbers (equal to logits_all's to float
precision) through a pass-through logits processor, for about 0.2 ms per
generated token (1-2% of generating it), and only on calls that ask.
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache
from typing import Any

from agents.providers.confidence import confidence_from_logprobs

log = logging.getLogger(__name__)


@lru_cache(maxsize=32)
def grammar_for(schema_json: str) -> Any:
    """The llama.cpp grammar (GBNF) of a JSON schema, built once; None if unsupported."""
    from llama_cpp.llama_grammar import LlamaGrammar

    try:
        return LlamaGrammar.from_json_schema(schema_json, verbose=False)
    except Exception as exc:  # the converter raises plain exceptions for what it lacks
        # Without a grammar the JSON instructions in the prompt still apply.
        log.warning("no llama.cpp grammar for this schema (%s); relying on instructions", exc)
        return None


class TokenLogprobs:
    """A pass-through logits processor recording the log-probability of each chosen token.

    llama.cpp calls it at every sampling step with the raw logits of the next
    token (before repeat penalty, grammar and temperature: the model's own
    distribution, as vendors report it) and the tokens so far, the last of
    which was chosen at the step before; so each call scores the previous
    choice. The last token sampled is never scored: on a normal stop it is the
    end-of-turn token, which vendors' logprobs leave out too; on an answer cut
    at ``max_tokens`` one missing score hardly moves a mean.

    Under a grammar the raw distribution misleads: the syntax the grammar
    forces (``{"name": "``) may be tokens the model would not have chosen, and
    they would drag the mean down for nothing. Given the ``grammar``, the
    scorer runs its own copy of it and scores each token against the tokens
    the grammar allowed, leaving out steps where it allowed only one (a forced
    token says nothing about how sure the model is). Checking the whole
    vocabulary against the grammar costs about 4.5 ms a token, as much as
    generating it, so only the `GRAMMAR_TOP_K` likeliest tokens are checked
    (about 0.4 ms): the allowed tokens beyond them carry next to no probability,
    and a chosen token beyond them was forced, so it is left out too.
    """

    def __init__(self, *, grammar: Any = None, vocab: Any = None) -> None:
        import numpy

        self._np = numpy
        self.logprobs: list[float] = []
        # (token ids or None for the whole vocabulary, their logits, log of the total, forced)
        self._previous: tuple[Any, Any, float, bool] | None = None
        self._mask = _GrammarMask(grammar, vocab) if grammar is not None else None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        np = self._np
        if self._previous is not None:
            self._score(int(input_ids[-1]))
        if self._mask is not None:
            ids, logits = self._mask.allowed(scores)
        else:
            # A copy: the samplers after this one rewrite the array in place.
            ids, logits = None, np.array(scores, dtype=np.float32)
        if len(logits) == 0:  # the grammar allows nothing likely: whatever comes is forced
            self._previous = (ids, logits, 0.0, True)
            return scores
        top = float(logits.max())
        total = float(np.exp(logits - top).sum(dtype=np.float64))
        self._previous = (ids, logits, top + math.log(total), len(logits) <= 1)
        return scores

    def _score(self, token: int) -> None:
        assert self._previous is not None
        ids, logits, log_total, forced = self._previous
        if self._mask is not None:
            self._mask.accept(token)
        if forced:
            return
        if ids is None:
            self.logprobs.append(float(logits[token]) - log_total)
            return
        where = self._np.flatnonzero(ids == token)
        if len(where):  # else the grammar pushed the model past its likely tokens: forced
            self.logprobs.append(float(logits[where[0]]) - log_total)

    @property
    def confidence(self) -> float | None:
        """exp(mean log-probability) of the scored tokens; None before any."""
        return confidence_from_logprobs(self.logprobs)

    def close(self) -> None:
        """Free the grammar copy (llama.cpp memory)."""
        if self._mask is not None:
            self._mask.close()
            self._mask = None


#: How many of the likeliest tokens `TokenLogprobs` checks against a grammar.
GRAMMAR_TOP_K = 256


class _GrammarMask:
    """A private llama.cpp grammar sampler that tells which likely tokens a grammar allows."""

    def __init__(self, grammar: Any, vocab: Any, top_k: int = GRAMMAR_TOP_K) -> None:
        import llama_cpp
        import numpy

        self._llama_cpp = llama_cpp
        self._np = numpy
        self._top_k = top_k
        self._sampler = llama_cpp.llama_sampler_init_grammar(
            vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        if not self._sampler:
            raise ValueError("llama.cpp rejected the grammar")
        # llama_token_data is {int id; float logit; float p}, as llama-cpp-python lays it out.
        self._data = numpy.recarray(
            (top_k,),
            dtype=numpy.dtype(
                [("id", numpy.intc), ("logit", numpy.single), ("p", numpy.single)], align=True
            ),
        )
        self._array = llama_cpp.llama_token_data_array(
            data=self._data.ctypes.data_as(llama_cpp.llama_token_data_p),
            size=top_k,
            selected=-1,
            sorted=False,
        )

    def allowed(self, scores: Any) -> tuple[Any, Any]:
        """The ids and logits of the likeliest tokens the grammar allows now."""
        np = self._np
        logits = np.asarray(scores, dtype=np.float32)
        k = min(self._top_k, len(logits))
        top = np.argpartition(logits, -k)[-k:]
        self._data.id[:k] = top
        self._data.logit[:k] = logits[top]
        self._data.p[:k] = 0.0
        self._array.size = k
        self._array.selected = -1
        self._array.sorted = False
        self._llama_cpp.llama_sampler_apply(self._sampler, self._array)
        size = self._array.size
        ids, kept = self._data.id[:size].copy(), self._data.logit[:size].copy()
        finite = np.isfinite(kept)
        return ids[finite], kept[finite]

    def accept(self, token: int) -> None:
        """Advance the grammar past ``token``, as the real sampler chain does."""
        self._llama_cpp.llama_sampler_accept(self._sampler, token)

    def close(self) -> None:
        if self._sampler:
            self._llama_cpp.llama_sampler_free(self._sampler)
            self._sampler = None
