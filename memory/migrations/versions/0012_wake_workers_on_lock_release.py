"""Wake the workers when a conversation's job ends and the next one waits for its lock

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:00:00

procrastinate wakes its workers (LISTEN/NOTIFY) when a job is inserted, but
not when a job holding a ``lock`` ends. A conversation's next message, stored
while the one before it was being answered, was not fetchable then (its lock
was held), and nothing woke a worker for it later: it waited for the fallback
poll (WORKER_POLL_S, then 5 s). This trigger sends procrastinate's own
``job_inserted`` notification when a job that held a lock leaves ``doing``
(finished, failed, aborted, or deleted on success) and another job of the same
lock waits, so a worker on any machine fetches it at once.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTION = """
CREATE FUNCTION bot_notify_lock_released() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload TEXT;
BEGIN
    IF OLD.lock IS NOT NULL AND OLD.status = 'doing'
       AND (TG_OP = 'DELETE' OR NEW.status <> 'doing')
       AND EXISTS (
           SELECT 1 FROM procrastinate_jobs
           WHERE lock = OLD.lock AND status = 'todo' AND id <> OLD.id
       ) THEN
        -- The payload procrastinate's own insert trigger sends; workers only read its type.
        SELECT json_build_object('type', 'job_inserted', 'job_id', OLD.id)::text INTO payload;
        PERFORM pg_notify('procrastinate_queue_v1#' || OLD.queue_name, payload);
        PERFORM pg_notify('procrastinate_any_queue_v1', payload);
    END IF;
    RETURN NULL;
END;
$$
"""
_TRIGGER = """
CREATE TRIGGER bot_jobs_lock_released
    AFTER UPDATE OF status OR DELETE ON procrastinate_jobs
    FOR EACH ROW EXECUTE FUNCTION bot_notify_lock_released()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite answers in-process: no job engine, nothing to wake
    op.execute(_FUNCTION)
    op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS bot_jobs_lock_released ON procrastinate_jobs")
    op.execute("DROP FUNCTION IF EXISTS bot_notify_lock_released()")
