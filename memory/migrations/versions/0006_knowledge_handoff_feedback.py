"""Knowledge base documents and chunks, the ops thread of a handoff, reply feedback

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("ops_thread", sa.String(255), nullable=True))
        batch.create_index("ix_conversations_ops_thread", ["ops_thread"])

    op.create_table(
        "knowledge_documents",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.UniqueConstraint("source", name="uq_knowledge_documents_source"),
    )
    op.create_table(
        "knowledge_chunks",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("document_id", BigId, sa.ForeignKey("knowledge_documents.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.UniqueConstraint(
            "document_id", "position", name="uq_knowledge_chunks_document_position"
        ),
    )
    op.create_index("ix_knowledge_chunks_document_id", "knowledge_chunks", ["document_id"])

    op.create_table(
        "reply_feedback",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("message_id", BigId, sa.ForeignKey("messages.id"), nullable=False),
        sa.Column("rater", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.UniqueConstraint("message_id", "rater", "kind", name="uq_reply_feedback_rating"),
    )
    op.create_index("ix_reply_feedback_message_id", "reply_feedback", ["message_id"])


def downgrade() -> None:
    op.drop_table("reply_feedback")
    op.drop_table("knowledge_chunks")
    op.drop_table("knowledge_documents")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_ops_thread")
        batch.drop_column("ops_thread")
