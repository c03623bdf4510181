"""What in a customer care message must go to a person: refunds, chargebacks,
cancellations and complaints.

The bot never decides money or blame: these are recognised by phrase, in
code, so no model can talk its way into promising a refund. "We don't want to
cancel, just move it" is not a cancellation: a negation just before a phrase
cancels it.
"""

from __future__ import annotations

import re

REFUND = "refund"
CHARGEBACK = "chargeback"
CANCELLATION = "cancellation"
COMPLAINT = "complaint"

#: Checked in this order: the first that matches names the escalation.
_PHRASES: tuple[tuple[str, str], ...] = (
    (
        CHARGEBACK,
        r"charge\s?-?backs?|disput\w*(?: (?:the|a|this|my))? (?:charge|payment|transaction)|"
        r"(?:call|calling|contact|contacting|told) my (?:bank|card company)",
    ),
    (
        REFUND,
        r"refund\w*|money back|reimburs\w*|charged (?:me )?twice|double[- ]charged|"
        r"overcharged|charged (?:me )?too much|deposit back",
    ),
    (CANCELLATION, r"cancel\w*|call(?:ing)? (?:it|the (?:event|party|booking|dinner)) off"),
    (
        COMPLAINT,
        r"complain\w*|rude|unacceptable|disappoint\w*|terrible|awful|horrible|worst|"
        r"never (?:showed|came|arrived|turned up)|no[- ]show|(?:showed up|arrived|was|were) "
        r"(?:\w+ )?late|food poisoning|got sick|undercooked|raw chicken|"
        r"(?:food|it) was cold|unprofessional|not happy|unhappy|furious|ruined|"
        r"(?:left|made) (?:a|such a) mess",
    ),
)
_PATTERNS = tuple((name, re.compile(rf"\b(?:{p})\b", re.IGNORECASE)) for name, p in _PHRASES)
#: A negation in the few words before a phrase ("don't want to cancel").
_NEGATED = re.compile(
    r"\b(?:not|don'?t|do not|doesn'?t|no need to|without|never wanted to|no)\s+"
    r"(?:\w+\s+){0,3}$",
    re.IGNORECASE,
)

#: How each escalation is named in the handoff reason the team reads.
LABELS = {
    REFUND: "refund request",
    CHARGEBACK: "chargeback",
    CANCELLATION: "cancellation request",
    COMPLAINT: "complaint",
}


#: A question about a policy ("what is your refund policy?") is not a request.
_POLICY_QUESTION = re.compile(
    r"\b(?:polic(?:y|ies)|what happens if|how (?:does|do|long does) (?:a |the )?\w+ work)\b",
    re.IGNORECASE,
)
_OWN = re.compile(r"\b(?:i want|i'd like|i would like|please|my|our|we want)\b", re.IGNORECASE)


def escalation(text: str) -> str | None:
    """The escalation ``text`` asks for (`REFUND`, ...), or None."""
    if _POLICY_QUESTION.search(text) and not _OWN.search(text):
        return None
    for name, pattern in _PATTERNS:
        for found in pattern.finditer(text):
            if not _NEGATED.search(text[max(0, found.start() - 40) : found.start()]):
                return name
    return None


def handoff_reason(kind: str, reference: str | None) -> str:
    """``refund request: HH-1042``: what the team is told."""
    label = LABELS.get(kind, kind)
    return f"{label}: {reference}" if reference else label
