"""a covering index for the month's spend

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:30:00

The budget monitor sums this month's ``cost_usd`` every minute or so in every
process. On (created_at, cost_usd) that sum reads the index alone, never the
table (SQLite: a covering index; PostgreSQL: an index-only scan). The index
also serves every query the single-column ``created_at`` index served, so it
replaces that one rather than adding a second write per call.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_model_calls_created_at_cost_usd", "model_calls", ["created_at", "cost_usd"])
    op.drop_index("ix_model_calls_created_at", table_name="model_calls")


def downgrade() -> None:
    op.create_index("ix_model_calls_created_at", "model_calls", ["created_at"])
    op.drop_index("ix_model_calls_created_at_cost_usd", table_name="model_calls")
