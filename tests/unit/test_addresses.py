import pytest

from channels.base import Address
from memory.addresses import normalise
from memory.errors import InvalidAddressError


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("phone", "(415) 555-0142", ("phone", "+14155550142")),
        ("PHONE", "+44 20 7946 0958", ("phone", "+442079460958")),
        ("email", "  Jane.Doe@Acme.COM ", ("email", "jane.doe@acme.com")),
        ("telegram", " 123456 ", ("telegram", "123456")),
    ],
)
def test_identities_are_normalised(kind, value, expected):
    assert normalise(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("phone", "12"),
        ("phone", "call me"),
        ("email", "not-an-email"),
        ("bad kind", "x"),
        ("slack", ""),
    ],
)
def test_bad_identities_are_refused(kind, value):
    with pytest.raises(InvalidAddressError):
        normalise(kind, value)


def test_address_parse():
    assert Address.parse("phone:+1 555") == Address("phone", "+1 555")
    assert Address.parse("Email:a@b.co") == Address("email", "a@b.co")
    with pytest.raises(ValueError, match="kind:value"):
        Address.parse("+15551234567")
