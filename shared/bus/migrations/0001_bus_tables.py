"""bus tables: outbox, inbox, dead letters

Revision ID: bus_0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bus_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("bus",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bus_outbox",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_bus_outbox_published_at", "bus_outbox", ["published_at"])
    op.create_table(
        "bus_inbox",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "bus_dead_letters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("type", sa.String(128), nullable=True),
        sa.Column("stream", sa.String(64), nullable=False),
        sa.Column("stream_seq", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_bus_dead_letters_event_id", "bus_dead_letters", ["event_id"])


def downgrade() -> None:
    op.drop_table("bus_dead_letters")
    op.drop_table("bus_inbox")
    op.drop_index("ix_bus_outbox_published_at", "bus_outbox")
    op.drop_table("bus_outbox")
