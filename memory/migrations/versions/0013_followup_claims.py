"""the claim of a follow-up being sent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:00:00

A follow-up round claims a due follow-up (``writing``: its text is being
written), then moves it to ``sending`` just before the channel is called.
``followups.claim`` holds the claiming round's token, so a round whose claim
was handed back (its worker was thought dead) cannot go on to send it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        batch.add_column(sa.Column("claim", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        batch.drop_column("claim")
