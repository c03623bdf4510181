"""Storing an incoming message and deferring its answer job in one statement (PostgreSQL).

`ConversationStore.record_incoming` resolves the contact, upserts the
conversation, inserts the message and runs the scheduling hook as separate
statements: about nine round trips and the ORM's unit of work per webhook,
most of a webhook's cost. On PostgreSQL the common case (one sender
address) fits in one statement of data-modifying CTEs: one round trip, the
statement its own transaction (autocommit, on `Database.intake_engine`).

The statement does what the long path does, in the same order:

- find the address's contact, or create it with its identity;
- create or touch the conversation (its contact rewritten, for a merge);
- insert the message (ON CONFLICT DO NOTHING: a re-delivery is a no-op);
- for a new message only: record a STOP's opt-out and defer the answer job
  with procrastinate's versioned ``procrastinate_defer_jobs_v1`` (its schema
  comes with our migrations).

When two first messages of a new person race, the loser's identity insert
conflicts and the statement stores nothing but the contact it created,
which is deleted at once (`LostRace`); the caller takes the long path,
which reads the winner's contact back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from memory.conversations import RecordedMessage
from memory.db import Database
from memory.models import utcnow


class LostRace(Exception):
    """A concurrent first message of the same new person created its contact first."""


@dataclass(frozen=True, slots=True)
class JobToDefer:
    """procrastinate's job row: queue, task name, lock, and the task's JSON arguments
    (the message id is added under ``message_id``)."""

    queue: str
    task: str
    lock: str
    args: dict[str, Any]


#: Each parameter typed where it is used: PostgreSQL infers nothing from a SELECT list.
_TYPED = {
    name: f"CAST(:{name} AS {kind})"
    for name, kind in {
        "kind": "varchar", "value": "varchar", "name": "varchar", "now": "timestamptz",
        "stop": "boolean", "channel": "varchar", "key": "varchar", "external_id": "varchar",
        "text": "text", "meta": "json", "queue": "varchar", "task": "varchar", "lock": "text",
        "args": "jsonb",
    }.items()
}  # fmt: skip

_STORE = text(
    """
WITH found AS (
    SELECT contact_id FROM identities WHERE kind = {kind} AND external_id = {value}
), new_contact AS (
    INSERT INTO contacts (display_name, created_at, facts)
    SELECT {name}, {now}, CAST('{{}}' AS json) WHERE NOT EXISTS (SELECT 1 FROM found)
    RETURNING id
), new_identity AS (
    INSERT INTO identities (kind, external_id, contact_id, created_at, opted_out_at)
    SELECT {kind}, {value}, id, {now}, CASE WHEN {stop} THEN {now} END FROM new_contact
    ON CONFLICT DO NOTHING
    RETURNING contact_id
), picked AS (
    SELECT contact_id FROM found UNION ALL SELECT contact_id FROM new_identity
), conversation AS (
    INSERT INTO conversations (channel, key, contact_id, created_at, updated_at)
    SELECT {channel}, {key}, contact_id, {now}, {now} FROM picked
    ON CONFLICT (channel, key) DO UPDATE
        SET contact_id = excluded.contact_id, updated_at = excluded.updated_at
    RETURNING id, contact_id, agent, handed_off_at
), message AS (
    INSERT INTO messages
        (conversation_id, contact_id, channel, external_id, direction, text, created_at, meta)
    SELECT id, contact_id, {channel}, {external_id}, 'in', {text}, {now}, {meta}
    FROM conversation
    ON CONFLICT DO NOTHING
    RETURNING id
), opt_out AS (
    UPDATE identities SET opted_out_at = {now}
    WHERE {stop} AND kind = {kind} AND external_id = {value}
      AND EXISTS (SELECT 1 FROM found) AND EXISTS (SELECT 1 FROM message)
    RETURNING 1
), named AS (
    UPDATE contacts SET display_name = {name}
    WHERE {name} IS NOT NULL AND display_name IS NULL
      AND id IN (SELECT contact_id FROM found)
    RETURNING 1
), job AS (
    SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(
        {queue}, {task}, 0, {lock}, NULL,
        jsonb_set({args}, '{{message_id}}', to_jsonb(message.id)), NULL
    )::procrastinate_job_to_defer_v1]) AS ids
    FROM message
)
SELECT c.id AS conversation_id, c.contact_id, c.agent, c.handed_off_at,
       (SELECT id FROM message) AS message_id,
       (SELECT count(*) FROM job) AS deferred,
       (SELECT count(*) FROM opt_out) + (SELECT count(*) FROM named) AS touched,
       ct.display_name, ct.facts, (SELECT id FROM new_contact) AS created_contact
FROM (SELECT 1) AS one
LEFT JOIN conversation c ON true
LEFT JOIN contacts ct ON ct.id = c.contact_id
""".format(**_TYPED)
)


_FORGET_CONTACT = text("DELETE FROM contacts WHERE id = :id")


class OneStatementIntake:
    """Stores one incoming message and defers its job in one statement (PostgreSQL only)."""

    def __init__(self, db: Database) -> None:
        if db.dialect != "postgresql":
            raise ValueError("the one-statement intake needs PostgreSQL")
        self.db = db

    async def store(
        self,
        *,
        channel: str,
        conversation_key: str,
        address: tuple[str, str],
        text: str,
        external_id: str | None,
        display_name: str | None,
        meta: dict[str, Any],
        stop: bool,
        job: JobToDefer,
    ) -> RecordedMessage | None:
        """Store the message (``address`` already normalised) and defer ``job`` for it;
        None for a re-delivery. Raises `LostRace` (nothing stored) as the module says."""
        kind, value = address
        params = {
            "kind": kind,
            "value": value,
            "name": display_name,
            "now": utcnow(),
            "stop": stop,
            "channel": channel,
            "key": conversation_key,
            "external_id": external_id,
            "text": text,
            "meta": json.dumps(meta),
            "queue": job.queue,
            "task": job.task,
            "lock": job.lock,
            "args": json.dumps(job.args),
        }
        async with self.db.intake_engine.connect() as connection:
            row = (await connection.execute(_STORE, params)).one()
            if row.conversation_id is None:
                # The contact this statement created has no identity, conversation or
                # message: nothing refers to it.
                await connection.execute(_FORGET_CONTACT, {"id": row.created_contact})
                raise LostRace(f"{kind} address created concurrently")
        if row.message_id is None:
            return None
        # The contact row is read in the statement's snapshot: a display name set by it
        # is not in ``row`` yet.
        return RecordedMessage(
            message_id=row.message_id,
            channel=channel,
            contact_id=row.contact_id,
            conversation_id=row.conversation_id,
            conversation_agent=row.agent,
            contact_name=row.display_name or display_name,
            contact_facts=dict(row.facts or {}),
            history=[],
            handed_off=row.handed_off_at is not None,
        )
