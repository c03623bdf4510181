"""cached tokens and role per model call, handoff, tutor pairs, alerts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("model_calls") as batch:
        batch.add_column(
            sa.Column("cached_input_tokens", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("role", sa.String(length=32), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("handed_off_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("handoff_reason", sa.Text(), nullable=True))
    op.create_table(
        "tutor_pairs",
        sa.Column("id", BigId, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("prompt", sa.JSON(), nullable=False),
        sa.Column("student_model", sa.String(length=160), nullable=False),
        sa.Column("student_text", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("confidence_method", sa.String(length=32), nullable=False),
        sa.Column("teacher_model", sa.String(length=160), nullable=True),
        sa.Column("teacher_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tutor_pairs_created_at", "tutor_pairs", ["created_at"])
    op.create_table(
        "alerts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_alerts_key"),
    )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_index("ix_tutor_pairs_created_at", table_name="tutor_pairs")
    op.drop_table("tutor_pairs")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("handoff_reason")
        batch.drop_column("handed_off_at")
    with op.batch_alter_table("model_calls") as batch:
        batch.drop_column("role")
        batch.drop_column("cached_input_tokens")
