"""SMS send costs beside model costs; per-sender inbound limits

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 10:00:00

``send_costs``: one row per message sent through a paid channel (SMS), its
segments and its cost (an estimate until the vendor's price arrives), summed
with ``model_calls`` into the month's spend. ``inbound_limit_hits``: one row
per sender, limit and window past the limit, whose unique key lets exactly one
process tell the sender and alert the team. The index on messages
(contact_id, created_at) counts one sender's recent messages.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "send_costs",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("sent_id", sa.String(255), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("channel", "sent_id", name="uq_send_costs_channel_sent_id"),
    )
    op.create_index("ix_send_costs_created_at_cost_usd", "send_costs", ["created_at", "cost_usd"])
    op.create_table(
        "inbound_limit_hits",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("contact_id", BigId, sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("limit", sa.String(16), nullable=False),
        sa.Column("window", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("message_id", BigId, sa.ForeignKey("messages.id"), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.UniqueConstraint("contact_id", "limit", "window", name="uq_inbound_limit_hits_window"),
    )
    op.create_index("ix_messages_contact_id_created_at", "messages", ["contact_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_contact_id_created_at", table_name="messages")
    op.drop_table("inbound_limit_hits")
    op.drop_index("ix_send_costs_created_at_cost_usd", table_name="send_costs")
    op.drop_table("send_costs")
