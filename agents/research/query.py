"""The web search query for a person: who they are and where they work.

A name alone matches thousands of people; the company domain of their
e-mail narrows it to one. Free-mail domains (gmail.com, outlook.com, ...)
say nothing about an employer and would drown the results, so they are left
out of the query (the address itself stays: a page may list it).
"""

from __future__ import annotations

from agents.research.base import PersonProfile

#: Tavily refuses queries over 400 characters.
MAX_QUERY_CHARS = 400
#: Facts that name an employer, role or place, in the order they go into the query.
QUERY_FACTS = ("company", "organisation", "organization", "employer", "title", "role", "city")

#: Mailbox providers whose domain says nothing about where a person works.
FREE_MAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de ymail.com rocketmail.com
    hotmail.com hotmail.co.uk hotmail.fr outlook.com live.com msn.com aol.com icloud.com me.com
    mac.com proton.me protonmail.com pm.me gmx.com gmx.de gmx.net web.de mail.com mail.ru
    yandex.com yandex.ru zoho.com fastmail.com hey.com qq.com 163.com 126.com tutanota.com
    hushmail.com inbox.com laposte.net orange.fr free.fr btinternet.com comcast.net verizon.net
    att.net sbcglobal.net
    """.split()
)


def email_domain(email: str) -> str | None:
    """The domain of ``email`` in lower case, or None if it has none."""
    _, at, domain = email.strip().rpartition("@")
    if not at:
        return None
    return domain.lower().strip(".") or None


def is_free_mail(domain: str) -> bool:
    """Whether ``domain`` is a mailbox provider rather than an employer."""
    return domain.lower() in FREE_MAIL_DOMAINS


def company_domains(person: PersonProfile) -> list[str]:
    """The employer domains among ``person``'s e-mail addresses, without repeats."""
    domains = (email_domain(email) for email in person.emails)
    return list(dict.fromkeys(d for d in domains if d and not is_free_mail(d)))


def search_query(person: PersonProfile) -> str:
    """The query for ``person``: quoted name, e-mail, company domain, a few facts.

    Empty when there is nothing to search for. A phone number is used only
    when there is neither name nor e-mail: it finds little, but it is all
    there is.
    """
    parts: list[str] = []
    if person.name and person.name.strip():
        parts.append(f'"{" ".join(person.name.split())}"')
    parts += [email.strip() for email in person.emails[:1]]
    parts += company_domains(person)[:1]
    for key in QUERY_FACTS:
        value = person.facts.get(key)
        if isinstance(value, str) and value.strip() and value.strip() not in parts:
            parts.append(" ".join(value.split()))
    if not parts:
        parts += person.phones[:1]
    query = ""
    for part in parts:  # whole parts only, up to Tavily's limit
        candidate = f"{query} {part}".strip()
        if len(candidate) > MAX_QUERY_CHARS:
            break
        query = candidate
    return query
