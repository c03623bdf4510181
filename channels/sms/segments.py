"""SMS segment arithmetic: which encoding a text needs and where carriers split it.

An SMS carries 140 bytes. In the GSM-7 alphabet that is 160 septets; the
extension table's characters (``^ { } \\ [ ~ ] | €`` and form feed) take two
(an escape, then the character). One character outside GSM-7 makes the whole
message UCS-2: 70 UTF-16 code units, so an emoji outside the Basic Multilingual
Plane counts 2. A longer text goes as a concatenated SMS whose parts each lose
room to the concatenation header: 153 septets or 67 units per part. A part
never ends in the middle of an escape pair or a surrogate pair: the carrier
moves the whole character to the next part, which this module does too.

Everything here is a pure function of the text (3GPP TS 23.038 for the alphabet).
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

#: The GSM 03.38 default alphabet, without 0x1B (the escape to the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each costs two septets (escape + character).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

#: Room in one SMS, and in each part of a concatenated one.
SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
PART_LIMIT = {GSM7: 153, UCS2: 67}

# What models write that forces UCS-2 for nothing: typographic quotes, dashes,
# the ellipsis and odd spaces, with the GSM-7 text that reads the same. (Twilio
# offers the same idea as "Smart Encoding"; doing it here keeps our segment plan
# true to what is sent.) Zero-width characters are dropped.
_SMART = {
    **dict.fromkeys("‘’‚‛′‵ʹʻʼʽ", "'"),
    **dict.fromkeys("“”„‟″‶«»", '"'),
    **dict.fromkeys("‐‑‒–—―⁃−", "-"),
    "…": "...",
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009", " "),
    **dict.fromkeys("\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", ""),
}
_SMART_TABLE = str.maketrans(_SMART)


@dataclass(frozen=True, slots=True)
class SegmentPlan:
    """How a text travels as SMS: its encoding and the parts carriers split it into."""

    encoding: str
    #: The whole text's size: septets (GSM-7) or UTF-16 code units (UCS-2).
    units: int
    #: The text of each part, in order; they join back to the text exactly.
    parts: tuple[str, ...]

    @property
    def segments(self) -> int:
        """How many SMS the text costs (0 for an empty text)."""
        return len(self.parts)

    @property
    def part_units(self) -> tuple[int, ...]:
        """The size of each part, in the encoding's units."""
        return tuple(units_of(part, self.encoding) for part in self.parts)


def smart_encode(text: str) -> str:
    """``text`` with look-alike punctuation and spaces replaced by their GSM-7 forms."""
    return text.translate(_SMART_TABLE)


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM-7 alphabet or its extension."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def encoding_of(text: str) -> str:
    """``GSM-7`` when the alphabet covers the text, otherwise ``UCS-2``."""
    return GSM7 if is_gsm7(text) else UCS2


def char_units(char: str, encoding: str) -> int:
    """What one character costs: 1 or 2 septets, or 1 or 2 UTF-16 code units."""
    if encoding == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def units_of(text: str, encoding: str) -> int:
    """The size of ``text`` in ``encoding``'s units."""
    return sum(char_units(c, encoding) for c in text)


def plan_segments(text: str) -> SegmentPlan:
    """The encoding of ``text`` and the parts a carrier splits it into."""
    encoding = encoding_of(text)
    total = units_of(text, encoding)
    if not text:
        return SegmentPlan(encoding, 0, ())
    if total <= SINGLE_LIMIT[encoding]:
        return SegmentPlan(encoding, total, (text,))
    limit = PART_LIMIT[encoding]
    parts: list[str] = []
    start, used = 0, 0
    for index, char in enumerate(text):
        cost = char_units(char, encoding)
        if used + cost > limit:  # the whole character moves on: pairs are never split
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return SegmentPlan(encoding, total, tuple(parts))
