"""Personal data as it reaches logs, in the forms people and encoders write it.

`CORPUS` is what must never reach a log line; `NOT_PII` is what often sits
in the bot's logs and must stay readable. Each value is written as it would
appear in the text (already URL-encoded where a query string would carry
it). The card numbers are the vendors' published test numbers (Luhn-valid).
"""

from __future__ import annotations

from typing import NamedTuple

from agents.privacy.pii import CARD, EMAIL, PHONE


class Case(NamedTuple):
    """One way of writing one piece of personal data, and what masking makes of it."""

    name: str
    kind: str
    value: str
    masked: str = ""

    @property
    def expected(self) -> str:
        """The value as a masked log shows it: its placeholder, a URI scheme kept."""
        return self.masked or f"[{self.kind}]"


CORPUS: tuple[Case, ...] = (
    # Phones: international, national, dotted, spaced, parenthesised, URL-encoded.
    Case("e164", PHONE, "+14155550101"),
    Case("intl spaced", PHONE, "+1 415 555 0102"),
    Case("intl dashed", PHONE, "+1-415-555-0103"),
    Case("intl dotted", PHONE, "+1.415.555.0104"),
    Case("intl parenthesised", PHONE, "+1 (415) 555-0105"),
    Case("national parenthesised", PHONE, "(415) 555-0106"),
    Case("national dashed", PHONE, "415-555-0107"),
    Case("national dotted", PHONE, "415.555.0108"),
    Case("national spaced", PHONE, "415 555 0109"),
    Case("national digits", PHONE, "4155550110"),
    Case("trunk dashed", PHONE, "1-415-555-0111"),
    Case("trunk parenthesised", PHONE, "1 (415) 555-0112"),
    Case("no-break spaces", PHONE, "+1\u00a0415\u00a0555\u00a00113"),
    Case("tel uri", PHONE, "tel:+14155550114", "tel:[PHONE]"),
    Case("uk intl", PHONE, "+44 20 7946 0958"),
    Case("uk intl trunk", PHONE, "+44 (0)20 7946 0959"),
    Case("uk 00 prefix", PHONE, "0044 20 7946 0960"),
    Case("uk 011 prefix", PHONE, "011 44 20 7946 0961"),
    Case("france spaced", PHONE, "+33 1 23 45 67 89"),
    Case("germany mobile", PHONE, "+4915112345678"),
    Case("url e164", PHONE, "%2B14155550115"),
    Case("url spaced", PHONE, "%2B1%20415%20555%200116"),
    Case("form spaced", PHONE, "%2B1+415+555+0117"),
    Case("url parenthesised", PHONE, "%28415%29%20555-0118"),
    Case("url uk", PHONE, "%2B44%2020%207946%200962"),
    # E-mails: plain, tagged, upper case, apostrophe, URL-encoded, IDN, punycode.
    Case("email plain", EMAIL, "jane.doe@example.com"),
    Case("email tagged", EMAIL, "Jane.Doe+party@Example.co.uk"),
    Case("email upper", EMAIL, "JANE_DOE@EXAMPLE.ORG"),
    Case("email apostrophe", EMAIL, "o'brien@example.ie"),
    Case("email mailto", EMAIL, "mailto:ann.lee@example.com", "mailto:[EMAIL]"),
    Case("email subdomains", EMAIL, "jane@mail.eu.example.museum"),
    Case("email url", EMAIL, "jane.doe%40example.com"),
    Case("email url tagged", EMAIL, "jane.doe%2Bparty%40example.com"),
    Case("email accented", EMAIL, "josé@exämple.com"),
    Case("email accented domain", EMAIL, "jane@münchen.de"),
    Case("email punycode", EMAIL, "jane@xn--mnchen-3ya.de"),
    Case("email cyrillic", EMAIL, "ivan@пример.рф"),
    Case("email punycode tld", EMAIL, "ivan@xn--e1afmkfd.xn--p1ai"),
    Case("email japanese", EMAIL, "山田@例え.jp"),
    Case("email url accented", EMAIL, "jos%C3%A9%40ex%C3%A4mple.com"),
    # Cards of 13 to 19 digits, plain and in groups.
    Case("card plain", CARD, "4111111111111111"),
    Case("card spaced", CARD, "4012 8888 8888 1881"),
    Case("card dashed", CARD, "5555-5555-5555-4444"),
    Case("card dotted", CARD, "4111.1111.1111.1111"),
    Case("card double spaced", CARD, "6011  1111  1111  1117"),
    Case("card spaced dashes", CARD, "4000 - 0000 - 0000 - 0002"),
    Case("amex grouped", CARD, "3782 822463 10005"),
    Case("amex dotted", CARD, "3782.822463.10005"),
    Case("visa 13", CARD, "4222222222222"),
    Case("diners 14", CARD, "3056 930902 5904"),
    Case("card 19 grouped", CARD, "6359 6700 0000 0000 003"),
    Case("card url spaced", CARD, "4111%201111%201111%201111"),
)

NOT_PII: tuple[str, ...] = (
    "2026-01-05 12:30:45,123",
    "2026-01-05T12:30:45.123456+00:00",
    "12/05/2026 at 18:30",
    "booking HH-1051",
    "$1,250.00 deposit",
    "1250.00 USD",
    "slack ts 1718000000.123456",
    "epoch 1718000000123",
    "telegram update 123456789",
    "MessageSid SM0123456789abcdef0123456789abcdef",
    "request 550e8400-e29b-41d4-a716-446655440000 took 1234.5 ms",
    "peer 127.0.0.1:54321",
    "order 4111111111111112",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    "q=party%20of%2040%20on%202026-11-21",
    "version 1.2.3",
)
