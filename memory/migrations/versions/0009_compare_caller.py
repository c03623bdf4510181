"""The caller of a compare (the HTTP API's peer address), a rate-limit key it cannot choose

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("compare_queries") as batch:
        batch.add_column(sa.Column("caller", sa.String(100), nullable=True))
    op.create_index(
        "ix_compare_queries_caller_created_at", "compare_queries", ["caller", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_compare_queries_caller_created_at", table_name="compare_queries")
    with op.batch_alter_table("compare_queries") as batch:
        batch.drop_column("caller")
