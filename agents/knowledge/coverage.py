"""Whether the documents speak of everything a question asks about.

"Do you do events in Sacramento?" shares "events" with a passage on corporate
events, and BM25 finds it; but Sacramento is in no document, so no passage
answers the question. A question with a topic word the documents never use
(after synonyms) is one they do not answer, however well its other words
match: the agents then say "not sure, I can ask the team" instead of
answering something near it. Words that carry no topic (``option``, ``day``,
``enough``) do not count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from agents.knowledge.terms import stem, terms

#: Words of a question that name no topic a document must mention.
_GENERIC = """
able available option options choice choices combo thing things kind type sort enough really
whole come coming go going get getting make making need needs needed want wanted like know tell
help question ask use using used happen happens happened possible okay fine good great sure
day days week weeks week's hour hours minute minutes month months year years time times
two three four five six ten dozen couple few lot lots much many someone something anything
people guy guys folks party parties event events do does offer offers provide provides
bring brings have has need whats what's anyone also still just else extra give far back
set setup number problem issue move another other son daughter mom dad wife husband family
friend friends wedding weddings birthday birthdays anniversary graduation celebration dinner lunch
expect expected expecting usual usually normal normally typical typically customary common
""".split()
GENERIC = frozenset(stem(word) for word in _GENERIC) | frozenset(_GENERIC)


def uncovered(
    question: str, known: Callable[[str], bool], *, also: Iterable[str] = ()
) -> list[str]:
    """The topic terms of ``question`` that neither ``known`` nor ``also`` holds."""
    extra = set(also)
    return [
        t
        for t in dict.fromkeys(terms(question))
        if t not in GENERIC and t not in extra and not known(t)
    ]
