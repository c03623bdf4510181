"""The answering pipeline: handled and send state on messages; procrastinate's schema

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00

On PostgreSQL, the job engine's tables, types and functions are created here,
from the SQL procrastinate ships for the version pinned in pyproject.toml, in
the schema the app uses (the connection's search_path), so `bot migrate` is
the one way a database gets them. Upgrading procrastinate to a version with
schema changes means a new migration applying its ``sql/migrations/*.sql``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        # An incoming message whose job finished (answered, or decided not to be).
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        # An outgoing one: pending, sending, sent, not_sent or unknown (see bot/pipeline).
        batch.add_column(sa.Column("send_state", sa.String(16), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        _execute_script(bind, SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in ("procrastinate_events", "procrastinate_periodic_defers"):
            op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        op.execute("DROP TABLE IF EXISTS procrastinate_jobs CASCADE")
        op.execute("DROP TABLE IF EXISTS procrastinate_workers CASCADE")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("send_state")
        batch.drop_column("handled_at")


def _execute_script(bind: sa.Connection, script: str) -> None:
    """Run a multi-statement SQL script (plpgsql bodies included) in this transaction.

    SQLAlchemy's asyncpg adapter prepares each statement, which allows one
    statement at a time; asyncpg's own ``execute`` without arguments uses the
    simple query protocol, which takes a whole script. Same connection, same
    transaction.
    """
    raw = bind.connection.dbapi_connection
    run_async = getattr(raw, "run_async", None)
    if run_async is not None:
        run_async(lambda driver: driver.execute(script))
    else:  # a sync driver (psycopg): its cursor takes a script as it is
        bind.exec_driver_sql(script)
