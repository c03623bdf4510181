"""Finding phone numbers, e-mail addresses and card numbers in free text.

`find_pii` returns where each one is; `mask_pii` replaces them with
``[PHONE]``, ``[EMAIL]`` and ``[CARD]`` (for logs and exports). Detection errs
on the side of masking, but it leaves alone what often sits in the bot's
text and logs and only looks like a number: dates and times, IP addresses,
ids inside longer tokens (UUIDs, booking references like HH-1042), prices.

The text is read URL-decoded (`DecodedView`: ``%2B1415…``, ``jane%40…``, a
form's ``+`` for a space), and what is found is masked in the original.

- E-mail: ``local@domain.tld``, with letters of any script (``josé@exämple.com``)
  and punycode (``xn--…``) domains.
- Card: 13 to 19 digits, plain, optionally split by single spaces or dashes,
  or in groups of 3 to 6 joined by the same dot, dash or spaces
  (``4111.1111.1111.1111``), that pass the Luhn check (so an order number of
  16 digits is not a card).
- Phone: a run of digits with the separators people write (spaces, dashes,
  dots, parentheses), starting with ``+`` or ``00`` (8 to 15 digits) or with
  10 to 15 digits, that `phonenumbers` finds possible for the default region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from agents.privacy.decoded import DecodedView

PHONE = "PHONE"
EMAIL = "EMAIL"
CARD = "CARD"
KINDS = (PHONE, EMAIL, CARD)

# Letters of any script; a top-level domain of letters or punycode (xn--p1ai).
# An apostrophe may sit inside the local part (o'brien@) but not start it, so
# a quoted address ('jane@acme.com') keeps its quotes around the mask.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-][\w.%+'-]*@(?:[^\W_](?:[\w-]*[^\W_])?\.)+"
    r"(?:xn--[a-z0-9-]{2,}|[^\W\d_]{2,})(?!\w)",
    re.IGNORECASE,
)
# 13 to 19 digits, plain or in groups of 3 to 6 joined by one separator used
# throughout (a space, dash or dot, a run of spaces, " - "): how cards are
# written (4-4-4-4, Amex's 4-6-5), not how phones are (+44 20 7946 0958).
# Luhn decides. Three groups at least, so a decimal is never a card.
_CARD = re.compile(
    r"(?<![\w./+-])(?:[0-9]{13,19}"
    r"|[0-9]{3,6}(?P<sep>[ .\u00a0-]| {2,3}| - )[0-9]{3,6}(?:(?P=sep)[0-9]{3,6}){1,4})"
    r"(?![\w/-]|\.[0-9])"
)
# A phone-like run: optional +, then digits, spaces, dashes, dots and parentheses.
# It may swallow a neighbouring number ("555-010-2030 2 guests"): `_phones_in` tries
# the run's space-separated windows, longest first.
_PHONE = re.compile(
    r"(?<![\w./@+-])(?:\+[ \u00a0]?)?\(?[0-9][0-9()\-. \u00a0]*[0-9](?![\w/@-]|\.[0-9])"
)
_WORD = re.compile(r"\S+")
# What looks like a number but is not a phone: dates, times, IPv4 addresses, and
# Unix times a log names as such (procrastinate logs ``timestamp=1764745200``).
_NOT_PHONE = re.compile(
    r"(?<=timestamp=)[0-9]{10}(?:\.[0-9]+)?|"
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?"
    r"|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}"
    r"|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?"
    r"|(?<![0-9])(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})"
    r"(?![0-9])"
)


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data in a text: its kind, where it is, and its normal form."""

    kind: str  # PHONE, EMAIL or CARD
    start: int
    end: int
    text: str
    #: E.164 for a phone, lower case for an e-mail, the digits of a card.
    normal: str = ""

    @property
    def key(self) -> str:
        """What makes two matches the same value, however each was written."""
        return f"{self.kind}:{self.normal or self.text}"


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` passes the Luhn check that card numbers carry."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _might_hold_pii(text: str) -> bool:
    # Most log lines and messages have neither: skip the regexes for them.
    return "@" in text or sum(c.isdigit() for c in text) >= 8


def find_pii(text: str, *, default_region: str = "US") -> list[PiiMatch]:
    """Every phone number, e-mail and card number in ``text``, in order, without overlaps.

    Found in the URL-decoded reading of ``text``; each match's span and
    ``text`` are those of the original (``%2B14155550101``), its ``normal``
    form that of the value (``+14155550101``).
    """
    if not text:
        return []
    view = DecodedView(text)
    plain = view.text
    if not _might_hold_pii(plain):
        return []
    # (kind, start, end, normal) in the decoded view's positions.
    found: list[tuple[str, int, int, str]] = [
        (EMAIL, m.start(), m.end(), m.group().lower()) for m in _EMAIL.finditer(plain)
    ]
    # Blank what is taken (and what only looks like a number) so later kinds skip it.
    blanked = _blank(plain, found)
    for m in _CARD.finditer(blanked):
        digits = re.sub(r"[^0-9]", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append((CARD, m.start(), m.end(), digits))
    blanked = _blank(plain, found)
    blanked = _NOT_PHONE.sub(lambda m: "_" * len(m.group()), blanked)
    for m in _PHONE.finditer(blanked):
        for start, end, e164 in _phones_in(m.group(), default_region):
            found.append((PHONE, m.start() + start, m.start() + end, e164))
    matches = []
    for kind, start, end, normal in sorted(found, key=lambda match: match[1]):
        at, to = view.span(start, end)
        matches.append(PiiMatch(kind, at, to, text[at:to], normal))
    return matches


def _blank(text: str, matches: list[tuple[str, int, int, str]]) -> str:
    chars = list(text)
    for _, start, end, _ in matches:
        chars[start:end] = "_" * (end - start)
    return "".join(chars)


def _phones_in(run: str, default_region: str) -> list[tuple[int, int, str]]:
    """Spans of ``run`` that are phone numbers (and their E.164), longest word windows first."""
    words = [(w.start(), w.end()) for w in _WORD.finditer(run)]
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            start, end = words[i][0], words[j - 1][1]
            e164 = _as_phone(run[start:end], default_region)
            if e164:
                spans.append((start, end, e164))
                i = j
                break
        else:
            i += 1
    return spans


def _as_phone(candidate: str, default_region: str) -> str | None:
    """``candidate`` in E.164 if it is a possible phone number, else None."""
    digits = sum(c.isdigit() for c in candidate)
    if candidate.startswith("00"):  # the international prefix most countries dial
        candidate = "+" + candidate[2:]
        digits -= 2
    international = candidate.startswith("+")
    if digits > 15 or digits < (8 if international else 10):
        return None
    try:
        number = phonenumbers.parse(candidate, None if international else default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_pii(text: str, *, default_region: str = "US") -> str:
    """``text`` with each phone, e-mail and card replaced by [PHONE], [EMAIL] or [CARD]."""
    matches = find_pii(text, default_region=default_region)
    if not matches:
        return text
    parts: list[str] = []
    at = 0
    for match in matches:
        parts.append(text[at : match.start])
        parts.append(f"[{match.kind}]")
        at = match.end
    parts.append(text[at:])
    return "".join(parts)
