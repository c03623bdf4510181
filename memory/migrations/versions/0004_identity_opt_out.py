"""SMS opt-out per identity

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:00:00

STOP opts a phone number out, not a person: the same contact may still be
answered on Telegram. So the opt-out lives on the identity.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("opted_out_at")
