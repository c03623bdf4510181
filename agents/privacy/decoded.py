"""Text as a person would read it, with each character's place in the original.

Personal data reaches logs in URL-encoded form (uvicorn's access log prints
the raw query string: ``?phone=%2B14155550101&email=jane.doe%40example.com``).
`DecodedView` decodes ``%XX`` escapes (UTF-8 sequences included, so an
accented domain written ``ex%C3%A4mple.com`` reads ``exämple.com``) and reads
a ``+`` between two digits as the space a form encoding made it, so the
detectors see ``+1 415 555 0101``; `span` maps what they find back onto the
original text, where it is masked.
"""

from __future__ import annotations

import re

# One or more consecutive %XX escapes: decoded together, as UTF-8 spans bytes.
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# A form-encoded space between digits (``%2B1+415+555+0101``); a leading ``+`` stays.
_PLUS_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])\+(?=[0-9])")


class DecodedView:
    """``text`` decoded, and for each decoded character the original span it came from."""

    __slots__ = ("_ends", "_starts", "original", "text")

    def __init__(self, text: str) -> None:
        """Decode ``text``; when it holds nothing to decode, the view is the text itself."""
        self.original = text
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None
        if "%" not in text and (
            "+" not in text or not _PLUS_BETWEEN_DIGITS.search(text)
        ):  # the common case, kept cheap: nothing to decode
            self.text = text
            return
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        at = 0
        for m in _ESCAPES.finditer(text):
            _keep(text, at, m.start(), chars, starts, ends)
            _decode(m.group(), m.start(), chars, starts, ends)
            at = m.end()
        _keep(text, at, len(text), chars, starts, ends)
        decoded = _PLUS_BETWEEN_DIGITS.sub(" ", "".join(chars))
        if decoded == text:  # nothing was encoded: keep the cheap identity mapping
            self.text = text
            return
        self.text, self._starts, self._ends = decoded, starts, ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind the decoded span ``[start, end)``."""
        if self._starts is None or self._ends is None or start >= end:
            return start, end
        return self._starts[start], self._ends[end - 1]


def _keep(
    text: str, start: int, end: int, chars: list[str], starts: list[int], ends: list[int]
) -> None:
    chars.extend(text[start:end])
    starts.extend(range(start, end))
    ends.extend(range(start + 1, end + 1))


def _decode(escapes: str, at: int, chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Decode a run of ``%XX`` escapes, one UTF-8 character at a time.

    A byte that starts no valid UTF-8 character stays as its escape, so
    nothing is lost or invented.
    """
    data = bytes.fromhex(escapes.replace("%", ""))
    i = 0
    while i < len(data):
        for width in (1, 2, 3, 4):
            try:
                char = data[i : i + width].decode("utf-8")
            except UnicodeDecodeError:
                continue
            break
        else:
            char, width = escapes[3 * i : 3 * i + 3], 1
        if len(char) == 1:
            chars.append(char)
            starts.append(at + 3 * i)
            ends.append(at + 3 * (i + width))
        else:  # an undecodable byte kept as its three characters
            chars.extend(char)
            starts.extend(range(at + 3 * i, at + 3 * i + 3))
            ends.extend(range(at + 3 * i + 1, at + 3 * i + 4))
        i += width
