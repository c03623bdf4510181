"""`ExampleRouter`: the route (four agents and ``human``) nearest to the message's examples.

Two views, combined as a product of experts (log-probabilities added):

- lexical: each route's mean TF-IDF similarity of its `TOP_K` nearest examples
  (words, word pairs, letter groups), divided by a temperature;
- vectors: where the embedded model loads, a softmax regression trained on the
  examples' sentence vectors. Asked only when the lexical view is unsure
  (top probability under `VECTORS_BELOW`): a sentence vector costs 70 to 150 ms
  of CPU on 2 cores, and on the lexically clear messages (three in four) it
  changed no route in measurement (bench/routing.py, mix against mix-all).

Priors are added last: a lean towards operations on team channels (and away from it
on customer channels, where the operations agent only refuses), and towards the
agent already serving a conversation (strong for a reply such as "yes" or "what
about 40 people?"). The top probability is the confidence. A message sharing no
word with any example goes to the conversation's agent (or the default one) at
most `UNKNOWN_WORDS_CONFIDENCE` sure; ``human`` is named only from
`HUMAN_MIN_CONFIDENCE` up.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np

from agents.routing.base import HUMAN_ROUTE, Route, Router
from agents.routing.classifier import SoftmaxRegression
from agents.routing.continuations import looks_like_continuation, only_details
from agents.routing.embeddings import SentenceEncoder, shared_encoder
from agents.routing.examples import RoutingExamples
from agents.routing.lexical import LexicalIndex

log = logging.getLogger(__name__)

#: Nearest examples averaged per route: one lucky example should not decide.
TOP_K = 3
#: How sharply lexical similarities separate the routes (sets the confidence scale).
LEXICAL_TEMPERATURE = 0.06
#: Weight of the vectors' log-probabilities against the lexical logits.
VECTOR_WEIGHT = 0.5
#: The lexical view's top probability under which the sentence vectors are asked too.
VECTORS_BELOW = 0.7
#: Log-odds added to operations on a team channel (team members ask about the business),
#: and taken from it elsewhere: a customer's "what sides come with the meal" is a
#: knowledge question, and the operations agent would only refuse a customer. Half as
#: strong away as towards: at -1.0 a team member's clear "show me the unpaid invoices"
#: texted from a phone went to customer care (281 spent messages, all on SMS: 267 right
#: at -1.0, 270 at -0.5, 270 with the channels as labelled at either).
TEAM_LEAN = 1.0
CUSTOMER_LEAN = -0.5
#: Log-odds added to the agent serving the conversation: a little for any message,
#: more for a reply that leans on the conversation ("ok, and the deposit?"), and
#: all for one that only agrees or changes a detail ("yes", "and on Sunday?").
STAY_LEAN = 0.4
CONTINUATION_LEAN = 1.5
DETAIL_LEAN = 100.0
#: A reply that stays with its agent is at least this sure (no clarifying "yes").
CONTINUATION_CONFIDENCE = 0.6
#: The most a message sharing no word with any example can be trusted.
UNKNOWN_WORDS_CONFIDENCE = 0.4
#: Under this, ``human`` gives way to the likeliest agent (which is then unsure too).
HUMAN_MIN_CONFIDENCE = 0.45
#: A message of one word goes to a person only if at least this share of the examples
#: using that word are requests for one ("agent": all of them; "now": 3 of 7).
PERSON_WORD_SHARE = 2 / 3
_WORD = re.compile(r"[a-z0-9']+")

EncoderFactory = Callable[[], SentenceEncoder | None]


class ExampleRouter(Router):
    """Routes by example utterances; lexical alone when vectors are off or cannot load."""

    def __init__(
        self,
        examples: RoutingExamples,
        *,
        embeddings: bool = True,
        encoder: EncoderFactory = shared_encoder,
        vectors_below: float = VECTORS_BELOW,
    ) -> None:
        """``vectors_below`` above 1 asks the vectors for every message (benchmarks)."""
        self.examples = examples
        self.routes = examples.agents
        pairs = examples.pairs()
        self._labels = np.array([self.routes.index(agent) for agent, _ in pairs])
        self._texts = [text for _, text in pairs]
        self._lexical = LexicalIndex(self._texts)
        self._routes_of_word: dict[str, Counter[str]] = defaultdict(Counter)
        for agent, example in pairs:
            for word in set(_WORD.findall(example.lower())):
                self._routes_of_word[word][agent] += 1
        self._embeddings = embeddings
        self._encoder_factory = encoder
        self._vectors_below = vectors_below
        self._encoder: SentenceEncoder | None = None
        self._classifier: SoftmaxRegression | None = None
        self._started = False
        self._loading: threading.Thread | None = None

    @property
    def agents(self) -> list[str]:
        """The agents this router can choose (``human`` is a route, not an agent)."""
        return [name for name in self.routes if name != HUMAN_ROUTE]

    @property
    def uses_vectors(self) -> bool:
        """Whether the sentence vectors are loaded and take part."""
        return self._classifier is not None

    async def prepare(self) -> None:
        """Load the encoder, the examples' vectors and the classifier; wait for them.

        `route` does not wait for the vectors when they are not cached: it embeds
        the examples in a background thread and routes by words until they are
        ready (from seconds to minutes on a busy machine). Await this to route with
        vectors from the first message (``bot route``, benchmarks).
        """
        self._start()
        if self._loading is not None:
            await asyncio.to_thread(self._loading.join)

    def _start(self) -> None:
        if not self._embeddings or self._started:
            return
        self._started = True
        # The model loads here, in the caller's thread, blocking it for about a
        # second once: llama-cpp-python points the whole process's stdout and
        # stderr at /dev/null while it loads a model, which would swallow what
        # another thread printed meanwhile (`bot ask` lost its answer that way).
        encoder = self._encoder_factory()
        if encoder is None:
            return
        key = self.examples.fingerprint()
        shipped = self.examples.shipped_vectors(encoder.model_key)
        vectors = encoder.cached(len(self._texts), key, shipped)
        if vectors is not None:
            self._use(encoder, vectors)
            return
        # A daemon thread: a process that exits before the vectors are ready
        # (`bot ask` on a cold cache) does not wait for them.
        self._loading = threading.Thread(
            target=self._embed_examples, args=(encoder, key), name="routing-vectors", daemon=True
        )
        self._loading.start()

    def _embed_examples(self, encoder: SentenceEncoder, key: str) -> None:
        try:
            self._use(encoder, encoder.encode_cached(self._texts, key))
        except Exception:  # routing goes on by words; the log says why
            log.exception("routing: the examples' sentence vectors failed")

    def _use(self, encoder: SentenceEncoder, vectors: np.ndarray) -> None:
        classifier = SoftmaxRegression(vectors, self._labels, len(self.routes))
        self._encoder, self._classifier = encoder, classifier

    async def route(
        self,
        text: str,
        *,
        channel: str,
        current_agent: str | None = None,
        is_team: bool | None = None,
    ) -> Route:
        self._start()
        sims = np.asarray(self._lexical.similarities(text))
        logits = self._per_route(sims) / LEXICAL_TEMPERATURE
        method = "lexical"
        encoder, classifier = self._encoder, self._classifier
        if encoder and classifier and _softmax(logits).max() < self._vectors_below:
            vector = (await encoder.aencode([text]))[0]
            logits = logits + VECTOR_WEIGHT * classifier.log_proba(vector)
            method = "mix"
        notes: list[str] = []
        if "operations" in self.routes:
            # The team's own channels (routing.yml) lean to operations; a customer leans
            # away from it; a team member elsewhere (the console, the API) leans neither way.
            team_channel = channel in self.examples.team_channels
            team = is_team if is_team is not None else team_channel
            if not team:
                logits[self.routes.index("operations")] += CUSTOMER_LEAN
                notes.append(f"a customer on {channel}")
            elif team_channel:
                logits[self.routes.index("operations")] += TEAM_LEAN
                notes.append(f"team channel {channel}")
        continuation = current_agent in self.agents and looks_like_continuation(text)
        if current_agent in self.agents:
            lean = STAY_LEAN
            if continuation:
                lean = DETAIL_LEAN if only_details(text) else CONTINUATION_LEAN
            logits[self.routes.index(current_agent)] += lean
        probs = _softmax(logits)
        best = int(probs.argmax())
        if continuation and self.routes[best] == current_agent:
            notes.append("a continuation: stays with the current agent")
            confidence = max(float(probs[best]), CONTINUATION_CONFIDENCE)
        elif not self._lexical.shares_words(text):
            # Nothing to go on ("Hello?"): the conversation's agent, or the default one.
            stay = current_agent if current_agent in self.agents else None
            best = self.routes.index(stay or self.examples.default_agent)
            notes.append("no word in common with the examples")
            confidence = min(float(probs[best]), UNKNOWN_WORDS_CONFIDENCE)
        elif self.routes[best] == HUMAN_ROUTE and (
            probs[best] < HUMAN_MIN_CONFIDENCE or not self._one_word_names_a_person(text)
        ):
            # A handoff silences the bot and calls the team: not on a weak hunch ("Now?").
            best = max(
                (i for i, r in enumerate(self.routes) if r != HUMAN_ROUTE), key=probs.__getitem__
            )
            notes.append("too unsure for a person")
            confidence = float(probs[best])
        else:
            confidence = float(probs[best])
        reason = f"{method}: nearest {self._nearest(sims, best)!r}"
        return Route(
            self.routes[best], round(confidence, 3), reason + "".join(f"; {n}" for n in notes)
        )

    def _one_word_names_a_person(self, text: str) -> bool:
        """False for a lone word most examples using it do not ask for a person with.

        "agent" or "manager" alone asks for a person; "Now?" alone only sounds like
        "get me a real person, now". Longer messages are left to the scores.
        """
        words = _WORD.findall(text.lower())
        if len(words) != 1:
            return True
        routes = self._routes_of_word.get(words[0], Counter())
        return routes[HUMAN_ROUTE] >= PERSON_WORD_SHARE * sum(routes.values()) > 0

    def _per_route(self, sims: np.ndarray) -> np.ndarray:
        """Mean of each route's `TOP_K` highest similarities."""
        return np.array(
            [np.sort(sims[self._labels == i])[-TOP_K:].mean() for i in range(len(self.routes))]
        )

    def _nearest(self, sims: np.ndarray, route: int) -> str:
        """The route's lexically nearest example: a reason a person can read."""
        mine = np.flatnonzero(self._labels == route)
        return self._texts[int(mine[sims[mine].argmax()])]


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max())
    return e / e.sum()
