"""Normalising identities, so one person's phone or e-mail always reads the same.

Phone numbers become E.164 (``+15551234567``) with `phonenumbers`; e-mails are
lower-cased. Channel-native ids are kept as given.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from memory.errors import InvalidAddressError

PHONE = "phone"
EMAIL = "email"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def normalise_phone(value: str, *, default_region: str = "US") -> str:
    """``(555) 123-4567`` → ``+15551234567``; raise `InvalidAddressError` if impossible."""
    return _normalise_phone(value, default_region)


# One answer normalises its sender's number several times (the opt-out checks
# before answering and before each send, the send's cost): parsing costs
# ~0.1 ms, a cache hit nothing. A refused number raises again each time.
@lru_cache(maxsize=4096)
def _normalise_phone(value: str, default_region: str) -> str:
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddressError(f"not a phone number: {value!r} ({exc})") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidAddressError(f"not a possible phone number: {value!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str) -> str:
    """Lower-case and trim; raise `InvalidAddressError` if it is not an address."""
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidAddressError(f"not an e-mail address: {value!r}")
    return email


def normalise(kind: str, value: str, *, default_region: str = "US") -> tuple[str, str]:
    """The stored form of an identity ``kind:value``."""
    kind = kind.strip().lower()
    if not _KIND.match(kind):
        raise InvalidAddressError(f"not an identity kind: {kind!r}")
    if kind == PHONE:
        return kind, normalise_phone(value, default_region=default_region)
    if kind == EMAIL:
        return kind, normalise_email(value)
    value = value.strip()
    if not value or len(value) > 255:
        raise InvalidAddressError(f"{kind} id must be 1 to 255 characters")
    return kind, value
