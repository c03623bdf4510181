"""Model text → Slack ``mrkdwn``: escape what Slack treats as markup, convert common Markdown.

Slack reads ``&``, ``<`` and ``>`` as control characters (``<@U123>``,
``<!channel>``, ``<url|label>``), so model text must have them escaped or a
stray ``<!here>`` would ping a whole channel. Models write GitHub Markdown;
Slack's dialect differs (``*bold*``, ``_italic_``, ``<url|label>``, no
headings), so the common forms are translated. Code spans and fences are the
same in both and are left alone (escaped only).
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"(```.*?```)", re.DOTALL)
_INLINE_CODE = re.compile(r"(`[^`\n]+`)")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[*+-][ \t]+", re.MULTILINE)
_QUOTE = re.compile(r"^&gt;[ \t]?", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]\n]+)\]\((\S+?)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
# A character that cannot appear in model text once escaped: marks bold while
# single-asterisk italics are converted, so the two do not collide.
_BOLD_MARK = "\x00"


def escape(text: str) -> str:
    """Escape Slack's three control characters (Slack's own rule: only these three)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """``text`` as Slack ``mrkdwn``: escaped, with Markdown bold, links, headings converted."""
    parts = _FENCE.split(text)
    return "".join(
        escape(part) if index % 2 else _convert_prose(part) for index, part in enumerate(parts)
    )


def _convert_prose(text: str) -> str:
    pieces = _INLINE_CODE.split(text)
    return "".join(
        escape(piece) if index % 2 else _convert_line_markup(piece)
        for index, piece in enumerate(pieces)
    )


def _convert_line_markup(text: str) -> str:
    text = escape(text.replace(_BOLD_MARK, ""))
    # A quote marker at the start of a line stays a quote (escaped, it would show as "&gt;").
    text = _QUOTE.sub("> ", text)
    text = _HEADING.sub(lambda m: f"{_BOLD_MARK}{_strip_bold(m.group(1))}{_BOLD_MARK}", text)
    text = _BULLET.sub(r"\1• ", text)
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", text)
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1) or m.group(2)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _STRIKE.sub(r"~\1~", text)
    return text.replace(_BOLD_MARK, "*")


def _strip_bold(text: str) -> str:
    return text.replace("**", "").replace("__", "")


_SLACK_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]+)(?:\|([^>]+))?>")


def to_plain(text: str) -> str:
    """What a person typed in Slack as plain text (a team reply relayed to an SMS).

    Slack escapes ``&``, ``<`` and ``>`` and wraps links as ``<url|label>``.
    """

    def link(found: re.Match[str]) -> str:
        url, label = found.group(1), found.group(2)
        target = url.removeprefix("mailto:").removeprefix("tel:")
        return target if not label or label == target else f"{label} ({target})"

    text = _SLACK_LINK.sub(link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
