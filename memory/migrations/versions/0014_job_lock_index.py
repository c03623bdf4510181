"""An index of waiting and running jobs by lock, for procrastinate's fetch

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:15:00

procrastinate's fetch (``procrastinate_fetch_job_v2``) skips a job whose lock
(its conversation) has an earlier job waiting or one running. Its indexes
look a lock up among running jobs only, so with a backlog every fetch read
the whole ``(id, lock)`` index once per waiting job: 135 ms a fetch with
1,100 jobs waiting, and one worker fetches one job at a time, so answers
ran at under 10 a second. This index makes that check one lookup (3.6 ms,
0.1 ms once the table's statistics are fresh); the lock-release trigger of
0012 reads by lock too.

The queue table churns (a row a message, deleted when answered), so its
statistics are refreshed sooner than the default's 10 % of rows changed:
a plan made for an empty table sorts the whole backlog on every fetch.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite answers in-process: no job engine
    op.execute(
        "CREATE INDEX bot_jobs_waiting_lock_idx ON procrastinate_jobs (lock)"
        " WHERE status IN ('todo', 'doing')"
    )
    op.execute(
        "ALTER TABLE procrastinate_jobs SET"
        " (autovacuum_analyze_threshold = 200, autovacuum_analyze_scale_factor = 0.02)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE procrastinate_jobs RESET"
        " (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor)"
    )
    op.execute("DROP INDEX IF EXISTS bot_jobs_waiting_lock_idx")
