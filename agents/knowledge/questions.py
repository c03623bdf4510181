"""Whether a message asks for a fact the business's documents should answer.

A question about a price, a policy, what/when/where/how, needs the documents:
the agents then put the best chunks in the prompt, and the knowledge agent
says it does not know when none is good enough, rather than letting a model
guess. Small talk, and questions about the conversation itself ("what did I
tell you?"), are not fact questions.
"""

from __future__ import annotations

import re

from agents.knowledge.terms import terms

_INTERROGATIVE = re.compile(
    r"\b(?:what|what's|whats|when|where|which|who|how|why)\b"
    r"|\b(?:do|does|did|can|could|is|are|will|would|should)\s+(?:you|we|i|it|they|there|the|your)\b",
    re.IGNORECASE,
)
_FACT_TOPIC = re.compile(
    r"\b(?:prices?|pricing|costs?|fees?|charges?|deposits?|refunds?|polic(?:y|ies)|cancel\w*"
    r"|allerg\w*|gluten|vegan|vegetarian|menu|included?|minimum|discounts?|travel|insur\w*"
    r"|hours|gratuity|tips?|weather|rain|how much)\b",
    re.IGNORECASE,
)
_ABOUT_CONVERSATION = re.compile(
    r"\b(?:did i|i told|i said|i mentioned|remember|my name|who am i|you said)\b",
    re.IGNORECASE,
)
#: Words that carry no fact to look up: "can you help me?" and "still there?" ask for no
#: document.
_GENERIC = frozenset(
    "help question something anything talk know tell need want like someone person"
    " still there here anyone around hello hi hey".split()
)


_ABOUT_US = re.compile(
    r"^\W*(?:hi|hello|hey)?\W*(?:(?:can|could) you |please )?"
    r"(?:tell me (?:a (?:bit|little) |more |a bit more )?about (?:you|yourselves|yourself|you guys"
    r"|your (?:company|business|team))"
    r"|who are you(?: guys)?|what do you (?:guys |all )?do"
    r"|what (?:is|'s) (?:this|your company|your business)"
    r"|what kind of (?:company|business) (?:is this|are you))\b[^a-z]*$",
    re.IGNORECASE,
)


def asks_about_us(text: str) -> bool:
    """True for a question about the business itself: "tell me about you", "who are you?"."""
    return bool(_ABOUT_US.search(text))


def asks_for_fact(text: str) -> bool:
    """True when ``text`` asks something the business's documents should answer."""
    if _ABOUT_CONVERSATION.search(text):
        return False
    if not [t for t in terms(text) if t not in _GENERIC]:
        return False
    return bool(_FACT_TOPIC.search(text) or _INTERROGATIVE.search(text) or "?" in text)
