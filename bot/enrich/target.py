"""Who /enrich is about: a name, an e-mail, a phone number or a Slack user, as typed.

Slack sends a command's text escaped (the manifest's ``should_escape: true``):
``<@U123|jane>``, ``<mailto:jane@acme.com|jane@acme.com>``,
``<tel:+15551234567|+1 555 123 4567>``, and ``&amp;`` for ``&``. Telegram, the
console, the CLI and the HTTP API send the same targets plain. Both forms
read the same here, and explicit ``kind:value`` (``slack:U123``) and ``#12``
(a contact id) are understood too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.errors import BotError
from memory.addresses import EMAIL, PHONE, normalise_email, normalise_phone
from memory.contacts import Address
from memory.errors import InvalidAddressError

USAGE = "Usage: /enrich <name, e-mail, phone or @slack-user> [--refresh]"
#: The longest name worth looking up (the contacts table keeps 200 characters).
MAX_NAME_CHARS = 200

_SLACK_ESCAPE = re.compile(r"^<([^<>|]+)(?:\|([^<>]*))?>$")
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# Digits and phone punctuation only: never a name, so a phone (or an invalid one).
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]*\d[\d\s().\-/]*$")
_CONTACT_ID = re.compile(r"^#(\d{1,18})$")
_ADDRESS_KINDS = frozenset({EMAIL, PHONE, "slack", "telegram", "sms", "console", "api"})
_REFRESH_FLAGS = frozenset({"--refresh", "-r", "—refresh"})  # Slack may turn "--" into a dash


class TargetError(BotError, ValueError):
    """The text does not name anyone /enrich can look up; the message says why.

    The message is `USAGE` itself for an empty target; otherwise it names the
    problem, and a command adds the usage line.
    """


@dataclass(frozen=True, slots=True)
class Target:
    """A person to enrich: an identity, a name, or a contact id (exactly one kind)."""

    address: Address | None = None
    #: The name to look up (without an address), or to give a new contact (with one).
    name: str | None = None
    contact_id: int | None = None

    def describe(self) -> str:
        """The target as a person would write it."""
        if self.contact_id is not None:
            return f"contact #{self.contact_id}"
        if self.address is not None:
            kind, value = self.address
            return value if kind in (EMAIL, PHONE) else f"{kind}:{value}"
        return self.name or ""


def split_flags(arguments: str) -> tuple[str, bool]:
    """The target text and whether ``--refresh`` was given (anywhere in the text)."""
    words = arguments.split()
    refresh = any(word.lower() in _REFRESH_FLAGS for word in words)
    return " ".join(w for w in words if w.lower() not in _REFRESH_FLAGS), refresh


def parse_target(text: str, *, default_region: str = "US") -> Target:
    """Read a target; raise `TargetError` for empty or malformed text."""
    text = text.strip()
    if not text:
        raise TargetError(USAGE)
    escaped = _SLACK_ESCAPE.match(text)
    if escaped:
        return _from_slack_escape(escaped.group(1), escaped.group(2), default_region)
    text = " ".join(html.unescape(text).split())
    contact = _CONTACT_ID.match(text)
    if contact:
        return Target(contact_id=int(contact.group(1)))
    if text.startswith("@") and _SLACK_USER_ID.match(text[1:]):
        return Target(address=("slack", text[1:]))
    kind, sep, value = text.partition(":")
    if sep and kind.lower() in _ADDRESS_KINDS and value.strip():
        return _address(kind.lower(), value.strip(), default_region)
    if "@" in text.lstrip("@"):
        return _address(EMAIL, text, default_region)
    if _PHONE_LIKE.match(text):
        return _address(PHONE, text, default_region)
    name = text.lstrip("@").strip()
    if not name:
        raise TargetError(USAGE)
    if len(name) > MAX_NAME_CHARS:
        raise TargetError(f"A name is at most {MAX_NAME_CHARS} characters.")
    return Target(name=name)


def _from_slack_escape(inner: str, label: str | None, default_region: str) -> Target:
    label = html.unescape(label or "").strip() or None
    if inner.startswith("@"):
        user_id = inner[1:]
        if not _SLACK_USER_ID.match(user_id):
            raise TargetError(f"Not a Slack user: <{inner}>")
        return Target(address=("slack", user_id), name=label)
    if inner.startswith("mailto:"):
        return _address(EMAIL, html.unescape(inner.removeprefix("mailto:")), default_region)
    if inner.startswith("tel:"):
        return _address(PHONE, html.unescape(inner.removeprefix("tel:")), default_region)
    # A channel (<#C1|general>), a user group (<!subteam^S1>) or a link: nobody to research.
    raise TargetError("/enrich needs a person: a name, e-mail, phone or @user.")


def _address(kind: str, value: str, default_region: str) -> Target:
    try:
        if kind == EMAIL:
            return Target(address=(EMAIL, normalise_email(value)))
        if kind == PHONE:
            return Target(address=(PHONE, normalise_phone(value, default_region=default_region)))
    except InvalidAddressError as exc:
        raise TargetError(_capitalised(str(exc))) from None
    if kind == "slack" and value.startswith("@"):
        value = value[1:]
    return Target(address=(kind, value))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
