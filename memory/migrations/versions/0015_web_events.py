"""the web chat: its stream's events, rate-limit admissions and phone codes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:00:00

``web_events``: what a visitor's stream shows, written by whichever process
answered and read after the client's ``Last-Event-ID``. ``web_admissions``:
requests counted per visitor token and per (hashed) address, shared by every
process. ``web_verifications``: one pending code per visitor, stored as an HMAC.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_events",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("conversation_key", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
    )
    op.create_index("ix_web_events_conversation_id", "web_events", ["conversation_key", "id"])
    op.create_index("ix_web_events_created_at", "web_events", ["created_at"])
    op.create_table(
        "web_admissions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("key", sa.String(96), nullable=False),
        sa.Column("at", Moment, nullable=False),
        sa.Column("admitted", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_web_admissions_key_at", "web_admissions", ["key", "at"])
    op.create_table(
        "web_verifications",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("visitor", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", Moment, nullable=False),
        sa.Column("created_at", Moment, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_verifications")
    op.drop_index("ix_web_admissions_key_at", table_name="web_admissions")
    op.drop_table("web_admissions")
    op.drop_index("ix_web_events_created_at", table_name="web_events")
    op.drop_index("ix_web_events_conversation_id", table_name="web_events")
    op.drop_table("web_events")
