"""Lead fields and score on contacts, their time zone, follow-ups, bookings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("lead", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("lead_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("lead_updated_at", Moment, nullable=True))

    op.create_table(
        "bookings",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("contact_id", BigId, sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=True),
        sa.Column("guests", sa.Integer(), nullable=False),
        sa.Column("package", sa.String(100), nullable=True),
        sa.Column("location", sa.String(300), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.UniqueConstraint("reference", name="uq_bookings_reference"),
    )
    op.create_index("ix_bookings_contact_id", "bookings", ["contact_id"])
    op.create_index("ix_bookings_event_date", "bookings", ["event_date"])

    op.create_table(
        "followups",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("contact_id", BigId, sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("conversation_id", BigId, sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("due_at", Moment, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("message_id", BigId, sa.ForeignKey("messages.id"), nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("done_at", Moment, nullable=True),
    )
    op.create_index("ix_followups_contact_id", "followups", ["contact_id"])
    op.create_index("ix_followups_status_due_at", "followups", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("followups")
    op.drop_table("bookings")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("lead_updated_at")
        batch.drop_column("lead_score")
        batch.drop_column("lead")
        batch.drop_column("time_zone")
