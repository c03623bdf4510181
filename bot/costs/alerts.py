"""Alerts that fire once: budget thresholds, the customer count, and whatever comes next.

An alert has a key that names the crossing it reports (``budget:2026-11:80``,
``customers:1000``). `AlertLog.fire` inserts it into the ``alerts`` table,
whose unique key makes exactly one insert win across every process and
restart; only the winner tells the sinks. So an alert is delivered at most
once: a sink that fails is logged at ERROR, not retried (retrying from every
process would deliver it several times).

Sinks are a list of `AlertSink`: `LogAlertSink` (the log, at WARNING) is
always there, and `bot.handoff.ops_channel.OpsChannel` posts to ``SLACK_OPS_CHANNEL`` when
Slack is on (`Runtime.start` appends it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from memory.db import Database
from memory.models import Alert as AlertRow
from memory.models import utcnow

log = logging.getLogger(__name__)

ALERTS = AlertRow.__table__


@dataclass(frozen=True, slots=True)
class Alert:
    """One crossing worth telling the operator about."""

    #: What makes it unique, e.g. ``budget:2026-11:80``: the same key never fires twice.
    key: str
    #: The family: ``budget``, ``customers``.
    kind: str
    #: One or two sentences for a person: what happened and what it means.
    message: str


class AlertSink(Protocol):
    """Somewhere alerts go: the log, the Slack ops channel."""

    async def send(self, alert: Alert) -> None:
        """Deliver ``alert``; raising only costs this sink its copy."""
        ...


class LogAlertSink:
    """Writes alerts to the log at WARNING, where any log shipper sees them."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or log

    async def send(self, alert: Alert) -> None:
        self.logger.warning("alert %s: %s", alert.key, alert.message)


class AlertLog:
    """Fires each alert once across processes and restarts, through the ``alerts`` table."""

    def __init__(self, db: Database, sinks: Sequence[AlertSink] = ()) -> None:
        self.db = db
        self.sinks = list(sinks)

    async def fire(self, alert: Alert) -> bool:
        """Record ``alert`` and tell the sinks; False (and silence) if it fired before."""
        statement = (
            self.db.insert_ignoring_conflicts(ALERTS)
            .values(key=alert.key, kind=alert.kind, message=alert.message, created_at=utcnow())
            .returning(ALERTS.c.id)
        )
        async with self.db.transaction() as session:
            inserted = await session.scalar(statement)
        if inserted is None:  # another process, or an earlier run, fired it
            return False
        for sink in self.sinks:
            try:
                await sink.send(alert)
            except Exception:  # one broken sink must not silence the others
                log.exception("alert sink %s failed to send %s", type(sink).__name__, alert.key)
        return True

    async def fired(self, key: str) -> bool:
        """Whether the alert ``key`` has fired, here or in any other process."""
        async with self.db.sessions() as session:
            found = await session.scalar(select(ALERTS.c.id).where(ALERTS.c.key == key))
        return found is not None
