"""reasoning tokens on model calls

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00

Reasoning models (OpenAI's and Groq's current defaults, Claude with thinking)
spend part of their output tokens reasoning before they answer; the vendor
bills them as output. ``model_calls.reasoning_tokens`` keeps how many of a
call's ``output_tokens`` went to reasoning, so an operator can see what the
reasoning costs. Nullable: calls logged before this migration never counted
them, and null says "not known" where 0 would claim "none".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("model_calls") as batch:
        batch.add_column(sa.Column("reasoning_tokens", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_calls") as batch:
        batch.drop_column("reasoning_tokens")
