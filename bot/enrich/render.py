"""An enrichment as a card: Slack shows it as blocks, Telegram and the console as text.

Everything shown that came from the web (signals, evidence, page titles) is
data: channels escape it (Slack mrkdwn, Telegram HTML), so a page cannot
ping a channel or inject markup.
"""

from __future__ import annotations

from agents.enrich.result import Enrichment
from channels.base import Card, CardField, OutgoingMessage
from channels.text import shorten
from memory.enrichment_records import AmbiguousContactError

#: Long model text is cut so the card stays within Slack's and Telegram's limits.
SECTION_CHARS = 1200
MAX_LISTED = 8


def enrichment_card(enrichment: Enrichment, *, name: str | None = None) -> Card:
    """The lead card: score, e-mail, expertise, date, then fit, approach, signals, message."""
    who = name or f"contact #{enrichment.contact_id}"
    if not enrichment.evidence:
        return Card(
            title=f"Lead: {who}",
            fields=(
                CardField("Lead score", "0.00 (no evidence)"),
                CardField("Researched", researched_text(enrichment)),
            ),
            sections=(_sources(enrichment), "Notes: " + "; ".join(enrichment.notes)),
        )
    fields = [
        CardField("Lead score", score_text(enrichment)),
        CardField("E-mail", enrichment.email or "not found"),
        CardField("Expertise", ", ".join(enrichment.expertise_areas) or "none found"),
        CardField("Researched", researched_text(enrichment)),
    ]
    sections = [
        _section("Project fit", enrichment.project_fit),
        _section("Outreach approach", enrichment.outreach_approach),
        _signals(enrichment),
        _section("Drafted first message", enrichment.first_message),
        _sources(enrichment),
    ]
    if enrichment.notes:
        sections.append("Notes: " + "; ".join(enrichment.notes))
    return Card(title=f"Lead: {who}", fields=tuple(fields), sections=tuple(sections))


def enrichment_message(enrichment: Enrichment, *, name: str | None = None) -> OutgoingMessage:
    """The reply to /enrich: a one-line summary and the card."""
    who = name or f"contact #{enrichment.contact_id}"
    cached = " (cached)" if enrichment.cached else ""
    text = f"{who}: lead score {enrichment.lead_score:.2f}{cached}"
    if not enrichment.evidence:
        text = f"{who}: no evidence found about them, so no lead score (0.00){cached}"
    return OutgoingMessage(text, card=enrichment_card(enrichment, name=name))


def ambiguous_message(error: AmbiguousContactError) -> OutgoingMessage:
    """Several contacts share the name: list them and say how to pick one."""
    lines = [f"Several contacts are called {error.name}:"]
    for candidate in error.candidates:
        known = ", ".join(f"{kind}:{value}" for kind, value in candidate.addresses)
        name = f" {candidate.name}" if candidate.name else ""
        lines.append(f"• #{candidate.id}{name} ({known or 'no identities'})")
    lines.append("Run /enrich again with their e-mail, phone or @user, or with #id.")
    return OutgoingMessage("\n".join(lines), private=True)


def score_text(enrichment: Enrichment) -> str:
    """The score, and the model's own when the evidence check lowered it."""
    text = f"{enrichment.lead_score:.2f}"
    if abs(enrichment.model_lead_score - enrichment.lead_score) >= 0.005:
        text += f" (model proposed {enrichment.model_lead_score:.2f}; capped by the evidence)"
    return text


def researched_text(enrichment: Enrichment) -> str:
    """When and how: ``2025-06-01 · web search · cached``."""
    how = "web search" if enrichment.research == "tavily" else "known data only"
    parts = [f"{enrichment.created_at:%Y-%m-%d}", how]
    if enrichment.cached:
        parts.append("cached")
    return " · ".join(parts)


def _section(label: str, text: str) -> str:
    return f"{label}:\n{shorten(text.strip() or '—', SECTION_CHARS)}"


def _signals(enrichment: Enrichment) -> str:
    if not enrichment.intent_signals:
        return "Intent signals: none found"
    lines = ["Intent signals:"]
    for signal in enrichment.intent_signals[:MAX_LISTED]:
        lines.append(f"• {shorten(signal.signal, 200)} — {signal.source_url}")
    return "\n".join(lines)


def _sources(enrichment: Enrichment) -> str:
    if not enrichment.sources:
        return "Sources: none"
    lines = ["Sources:"]
    for source in enrichment.sources[:MAX_LISTED]:
        title = shorten(source.title, 120) if source.title else ""
        flagged = " [flagged: " + ", ".join(source.flags) + "]" if source.flags else ""
        lines.append(f"• {title + ' — ' if title else ''}{source.url}{flagged}")
    return "\n".join(lines)
