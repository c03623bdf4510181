"""`FollowUpRunner`: sends the follow-ups that are due, or says why not.

For each due follow-up, in order: skip when the contact opted out (SMS STOP),
booked or wrote since it was planned, or already got its
``FOLLOWUP_MAX_PER_CONTACT``; move it to the end of the quiet hours when they
hold in the contact's time zone; otherwise the lead agent's model writes it (a
template with the lead's fields when the model fails), it is sent on the
conversation's channel (through the `Outbox`) and stored as an outgoing
message. The next follow-up is planned while the cap allows.

A round first closes what a round that died left (`memory.followup_claims`):
a follow-up claimed but not yet handed to the channel goes back to pending
and is sent now; one caught mid-send is recorded ``unknown``, never re-sent.
Where rounds run: a procrastinate periodic job on PostgreSQL (once per tick
across all workers, one round at a time: `bot.pipeline.engine`), the
in-process loop of ``bot serve`` on SQLite (`PeriodicFollowUps`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agents.errors import ProviderError
from agents.lead_nurturing.agent import LeadNurturingAgent
from agents.providers.base import CallOptions, CallRecord, ChatMessage, Completion, ModelProvider
from bot.followups.periodic import PeriodicFollowUps
from bot.followups.quiet_hours import QuietHours
from bot.followups.text import template
from bot.pipeline.outbox import Outbox
from channels.base import OutgoingMessage
from channels.errors import ChannelError, RecipientOptedOutError
from memory.followup_claims import FollowUpClaims
from memory.followup_records import PlannedFollowUp, as_utc
from memory.followups import FollowUpStore
from memory.leads import LeadBook, LeadRecord
from memory.models import utcnow

log = logging.getLogger(__name__)

#: Told to every SMS a customer did not ask for (carriers expect it on marketing texts).
SMS_OPT_OUT_NOTE = "Reply STOP to opt out."


@dataclass(frozen=True, slots=True)
class FollowUpOutcome:
    """What the runner did with one due follow-up."""

    followup_id: int
    contact_id: int
    channel: str
    #: sent, skipped, rescheduled; with --dry-run: would-send, would-skip, would-reschedule.
    action: str
    reason: str
    text: str | None = None
    due_at: datetime | None = None


class FollowUpRunner:
    """Runs due follow-ups through the lead agent and the orchestrator's channels."""

    def __init__(
        self,
        *,
        followups: FollowUpStore,
        leads: LeadBook,
        outbox: Outbox,
        agent: LeadNurturingAgent,
        provider: ModelProvider,
        quiet_hours: QuietHours | None,
        default_time_zone: str,
        max_per_contact: int,
        delay: timedelta,
    ) -> None:
        self.followups = followups
        self.leads = leads
        # The orchestrator's outbox: the one way a follow-up reaches a channel.
        self.outbox = outbox
        self.claims = FollowUpClaims(followups.db)
        self.agent = agent
        self.provider = provider
        self.quiet_hours = quiet_hours
        self.default_time_zone = default_time_zone
        self.max_per_contact = max_per_contact
        self.delay = delay
        self._lock = asyncio.Lock()

    async def run(
        self,
        *,
        now: datetime | None = None,
        dry_run: bool = False,
        limit: int = 100,
        recover: bool = False,
    ) -> list[FollowUpOutcome]:
        """Handle every follow-up due at ``now``; ``dry_run`` changes and sends nothing.

        ``recover`` first closes the claims of rounds that died; only a round
        that no other round can overlap may ask it (see `memory.followup_claims`).
        """
        now = as_utc(now or utcnow())
        async with self._lock:  # the periodic job and a manual run never overlap here
            outcomes = []
            if recover and not dry_run:
                recovered = await self.claims.recover()
                if recovered.handed_back or recovered.unknown:
                    log.warning(
                        "follow-ups of a round that died: %d handed back, %d maybe sent "
                        "(recorded unknown, not sent again)",
                        recovered.handed_back,
                        recovered.unknown,
                    )
            for planned in await self.followups.due(now, limit=limit):
                try:
                    outcomes.append(await self._one(planned, now, dry_run))
                except Exception as exc:  # one broken follow-up must not stop the others
                    log.exception("follow-up %s failed", planned.id)
                    if not dry_run:
                        await self.followups.skip(planned.id, f"failed: {exc}", now=now)
                    outcomes.append(_outcome(planned, "skipped", f"failed: {exc}", dry_run))
            return outcomes

    async def _one(self, planned: PlannedFollowUp, now: datetime, dry_run: bool) -> FollowUpOutcome:
        reason = await self._skip_reason(planned)
        if reason is not None:
            if not dry_run:
                await self.followups.skip(planned.id, reason, now=now)
            return _outcome(planned, "skipped", reason, dry_run)
        lead = await self.leads.get(planned.contact_id)
        zone = self._zone(lead)
        if self.quiet_hours is not None and self.quiet_hours.contains(now, zone):
            due_at = self.quiet_hours.ends_after(now, zone)
            reason = f"quiet hours in {zone.key}: moved to {due_at.astimezone(zone):%H:%M %Z}"
            if not dry_run:
                await self.followups.reschedule(planned.id, due_at, reason)
            return replace(_outcome(planned, "rescheduled", reason, dry_run), due_at=due_at)
        if self.outbox.channel(planned.channel) is None:
            reason = f"the {planned.channel} channel is not on in this process"
            if not dry_run:
                await self.followups.skip(planned.id, reason, now=now)
            return _outcome(planned, "skipped", reason, dry_run)
        if dry_run:
            return _outcome(planned, "sent", "due", dry_run)
        token = await self.claims.claim(planned.id)
        if token is None:
            return _outcome(planned, "skipped", "another runner took it", dry_run)
        try:
            text, model_id, calls = await self.write(planned, lead)
        except BaseException:
            await self.claims.release(planned.id, token)
            raise
        # Stored as sent: what the channel takes in all (SMS: 1,600 characters).
        text = self.outbox.fit_to(planned.channel, text)
        if not await self.claims.start_send(planned.id, token):
            return _outcome(planned, "skipped", "its claim was handed to another round", dry_run)
        try:
            sent_ids = await self.outbox.send_to(
                planned.channel, planned.conversation_key, OutgoingMessage(text)
            )
        except RecipientOptedOutError:
            await self.followups.skip(planned.id, "opted out (refused by the channel)", now=now)
            return _outcome(planned, "skipped", "opted out (refused by the channel)", dry_run)
        except ChannelError as exc:  # ChannelOffError too: the channel went off
            await self.followups.skip(planned.id, f"send failed: {exc}", now=now)
            return _outcome(planned, "skipped", f"send failed: {exc}", dry_run)
        await self.followups.record_sent(
            planned,
            text=text,
            agent=self.agent.name,
            sent_ids=sent_ids,
            calls=calls,
            model_id=model_id,
            now=now,
        )
        sent = await self.followups.sent_count(planned.contact_id)
        if sent < self.max_per_contact:
            # Each next one waits longer: the lead has not answered the last.
            await self.followups.plan(
                contact_id=planned.contact_id,
                conversation_id=planned.conversation_id,
                due_at=now + self.delay * (sent + 1),
                reason=f"no answer to follow-up {sent}",
            )
        return replace(_outcome(planned, "sent", f"via {model_id}", dry_run), text=text)

    async def _skip_reason(self, planned: PlannedFollowUp) -> str | None:
        state = await self.followups.state(planned.contact_id, planned.created_at)
        if state.opted_out:
            return "opted out (STOP)"
        if state.booked_since:
            return "booked since"
        if state.wrote_since:
            return "wrote since"
        if state.sent >= self.max_per_contact:
            return f"cap reached ({self.max_per_contact} follow-ups)"
        return None

    def _zone(self, lead: LeadRecord | None) -> ZoneInfo:
        for name in (lead.time_zone if lead else None, self.default_time_zone):
            if name:
                try:
                    return ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    log.warning("unknown time zone %r; using the next one", name)
        return ZoneInfo("UTC")

    async def write(
        self, planned: PlannedFollowUp, lead: LeadRecord | None
    ) -> tuple[str, str, Sequence[CallRecord]]:
        """The follow-up's text, the model that wrote it (or ``template``), and its calls.

        The lead agent's model writes it; when it fails or says nothing, `template`
        does. Failed calls are returned too: they were attempted, and may have cost.
        """
        fields = lead.fields if lead else {}
        known = "; ".join(f"{k}: {v}" for k, v in fields.items() if k != "budget") or "nothing yet"
        missing = ", ".join(lead.missing if lead else ["event_date", "guests", "location"])
        system = (
            self.agent.system_prompt("prices booking date guests")
            + "\n\nThe customer asked about an event and went quiet. Write one short, warm"
            " follow-up text message (at most two sentences) that invites them to book,"
            " and asks for what is still missing. Plain text, no Markdown."
        )
        prompt = f"What we know: {known}. Still missing: {missing or 'nothing'}."
        text, model_id = "", "template"
        calls: tuple[CallRecord, ...] = ()
        try:
            completion: Completion = await self.provider.complete(
                [ChatMessage("system", system), ChatMessage("user", prompt)],
                CallOptions(max_tokens=self.agent.max_tokens, temperature=self.agent.temperature),
            )
            text, calls = completion.text.strip(), completion.call_log
            model_id = f"{completion.provider}:{completion.model}"
        except ProviderError as exc:
            log.warning("the model could not write follow-up %s: %s", planned.id, exc)
            calls = tuple(exc.calls or ())
        if not text:
            text, model_id = template(self.agent.business.name, lead), "template"
        if planned.channel == "sms" and "STOP" not in text:
            text = f"{text} {SMS_OPT_OUT_NOTE}"
        return text, model_id, calls

    def start_periodic(self, interval_s: float) -> PeriodicFollowUps | None:
        """Run due follow-ups every ``interval_s`` in this process (SQLite); None when 0."""
        if interval_s <= 0:
            return None
        # The one serving process on SQLite: no other round overlaps it, so it recovers.
        return PeriodicFollowUps(partial(self.run, recover=True), interval_s)


_WOULD = {"sent": "would-send", "skipped": "would-skip", "rescheduled": "would-reschedule"}


def _outcome(planned: PlannedFollowUp, action: str, reason: str, dry_run: bool) -> FollowUpOutcome:
    return FollowUpOutcome(
        followup_id=planned.id,
        contact_id=planned.contact_id,
        channel=planned.channel,
        action=_WOULD[action] if dry_run else action,
        reason=reason,
        due_at=planned.due_at,
    )
