"""Telling a continuation from a message with its own topic.

A continuation is a reply that carries on the conversation with the agent already
serving it ("yes", "what about 40 people?"). Not a follow-up: in this codebase a
follow-up is the message the bot sends a lead later (`bot.followups`).
"""

from __future__ import annotations

import re

from agents.routing.lexical import content_words

#: Openings that lean on what was said before.
_LEANING = re.compile(
    r"^\s*(?:and|also|plus|but|so|then|ok(?:ay)?|k|yes|yeah|yep|yup|sure|no|nope|nah|"
    r"great|cool|perfect|awesome|nice|thanks?|thank you|thx|sounds|got it|alright|"
    r"what about|how about|what if|same|that|this|it|those|these|is that|does that|"
    r"would that|can we do|could we do|let'?s|go ahead|please do|do it)\b",
    re.IGNORECASE,
)
#: A short question pointing back at what was said ("what would the total be?",
#: "how much would that cost?"): about the conversation's topic, not a new one.
_REFERS_BACK = re.compile(
    r"\b(?:the total|in total|altogether|all together|all in|that|it all|all that)\b", re.I
)
REFERRING_QUESTION_WORDS = 3

#: Words that change a detail of the topic at hand (when, how many, who else), not the topic.
DETAIL_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun"
    " january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec today tonight tomorrow morning"
    " afternoon evening night noon midnight weekend week month year next instead earlier"
    " later people guests guest adults adult kids kid children persons heads am pm th st nd"
    " rd else about around more less fewer instead one two three four five six seven eight"
    " nine ten twenty thirty forty fifty hundred yes yeah yep sure sounds good great ok"
    " okay thanks thank perfect fine cool awesome nice alright".split()
)
#: A leaning reply longer than this (in content words) brings a topic of its own.
LEANING_REPLY_WORDS = 6


def looks_like_continuation(text: str) -> bool:
    """Whether ``text`` reads as a reply within the conversation rather than a new topic."""
    words = content_words(text)
    leaning = bool(_LEANING.match(text)) and len(words) <= LEANING_REPLY_WORDS
    referring = bool(_REFERS_BACK.search(text)) and len(words) <= REFERRING_QUESTION_WORDS
    return leaning or referring or words <= DETAIL_WORDS


def only_details(text: str) -> bool:
    """Whether ``text`` only agrees or changes a detail ("and on Sunday?", "40 people?").

    Such a reply cannot change the topic, however its words lean: "what about 40
    people?" reads like a new party's quote, yet after "we need to add guests to our
    booking" it is still customer care.
    """
    return content_words(text) <= DETAIL_WORDS
