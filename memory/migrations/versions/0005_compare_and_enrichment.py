"""/compare queries, answers and feedback; /enrich results on contacts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("enrichment", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("enriched_at", Moment, nullable=True))

    op.create_table(
        "compare_queries",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("asker", sa.String(300), nullable=False),
        sa.Column("asker_contact_id", BigId, sa.ForeignKey("contacts.id"), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("question_key", sa.String(64), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("judge_model", sa.String(160), nullable=True),
        sa.Column("judge", sa.JSON(), nullable=True),
        sa.Column("wall_ms", sa.Float(), nullable=True),
        sa.Column("cached_from_id", BigId, sa.ForeignKey("compare_queries.id"), nullable=True),
    )
    op.create_index(
        "ix_compare_queries_question_key_created_at",
        "compare_queries",
        ["question_key", "created_at"],
    )
    op.create_index(
        "ix_compare_queries_asker_created_at", "compare_queries", ["asker", "created_at"]
    )

    op.create_table(
        "compare_answers",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("query_id", BigId, sa.ForeignKey("compare_queries.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(160), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("score_details", sa.JSON(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.UniqueConstraint("query_id", "position", name="uq_compare_answers_query_position"),
    )
    op.create_index("ix_compare_answers_query_id", "compare_answers", ["query_id"])

    op.create_table(
        "compare_feedback",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("query_id", BigId, sa.ForeignKey("compare_queries.id"), nullable=False),
        sa.Column("answer_id", BigId, sa.ForeignKey("compare_answers.id"), nullable=False),
        sa.Column("voter", sa.String(300), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.UniqueConstraint("query_id", "voter", "slot", name="uq_compare_feedback_vote"),
    )
    op.create_index("ix_compare_feedback_query_id", "compare_feedback", ["query_id"])


def downgrade() -> None:
    op.drop_table("compare_feedback")
    op.drop_table("compare_answers")
    op.drop_table("compare_queries")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("enriched_at")
        batch.drop_column("enrichment")
