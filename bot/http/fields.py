"""The string and id rules of the HTTP API, written once so the schema and the checks agree.

Every rule is a regular expression that the request models enforce (with
Python's ``re``, the engine Schemathesis and most generators use) and that
the OpenAPI schema publishes, so a request the schema calls valid is never
refused for its shape. No string may hold a NUL character: PostgreSQL cannot
store one, and a client that sends one has a bug worth hearing about (422),
not a message silently changed. Unpaired surrogates (JSON ``"\\ud800"``)
cannot be stored either; they are refused the same way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, Field

#: The largest id a path takes: ids are 64-bit integers in every database.
MAX_ID = 2**63 - 1

#: Any text without NUL.
NO_NUL = r"^[^\x00]*$"
#: Text with at least one character that is not a space, and without NUL.
NOT_BLANK = r"^\s*[^\s\x00][^\x00]*$"
#: The kinds of sender the HTTP API takes: a phone or e-mail (which join the person
#: to their contact on every channel) or ``api:`` and the caller's own id. Not
#: ``slack:`` or ``telegram:``: those would let a caller speak as a team member.
SENDER_KINDS = ("phone", "email", "api")
#: ``kind:value``, a kind of `SENDER_KINDS` and a value of 1 to 255 characters
#: that starts with a non-space, never NUL.
SENDER = rf"^(?:{'|'.join(SENDER_KINDS)}):[^\s\x00][^\x00]{{0,254}}$"

#: What each pattern means, for the error a client reads.
EXPLAINED = {
    NO_NUL: "must not contain a NUL character (\\u0000)",
    NOT_BLANK: "must not be empty or only spaces, and must not contain a NUL character (\\u0000)",
    SENDER: (
        "expected phone:+15551234567, email:a@b.co or api:<your id>, "
        "the value 1 to 255 characters, no NUL character (\\u0000)"
    ),
}


def _paired_surrogates(value: str) -> str:
    """Refuse lone UTF-16 surrogates: no database stores them (and no text means them)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (it holds an unpaired surrogate)") from None
    return value


#: A request string that can be stored (its ``Field`` gives the pattern and bounds).
StoredText = Annotated[str, AfterValidator(_paired_surrogates)]
#: An id or key of the client's (a message id, a conversation): 1 to 255 characters.
ClientKey = Annotated[
    str, Field(min_length=1, max_length=255, pattern=NO_NUL), AfterValidator(_paired_surrogates)
]
#: Who asks or rates, as kind:value or a name: 1 to 300 characters.
Who = Annotated[
    str, Field(min_length=1, max_length=300, pattern=NO_NUL), AfterValidator(_paired_surrogates)
]
#: A person's name as given: at most 200 characters.
Name = Annotated[str, Field(max_length=200, pattern=NO_NUL), AfterValidator(_paired_surrogates)]
#: A free note: at most 2,000 characters.
Note = Annotated[str, Field(max_length=2000, pattern=NO_NUL), AfterValidator(_paired_surrogates)]

#: A path id: 1 to 2**63-1, so a larger one is a 422, not an overflow in the database.
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive 64-bit id.")]
