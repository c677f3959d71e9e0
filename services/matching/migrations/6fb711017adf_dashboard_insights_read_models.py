"""dashboard insights read models: activity per community day, its residents, provider records

Revision ID: 6fb711017adf
Revises: 59eca25990df
Create Date: 2026-11-25 14:38:30.983811
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6fb711017adf"
down_revision: str | Sequence[str] | None = "59eca25990df"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dayactivity",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("turnover_fen", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("peak_viewers", sa.Integer(), nullable=False),
        sa.Column("registrations", sa.Integer(), nullable=False),
        sa.Column("check_ins", sa.Integer(), nullable=False),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "day"),
    )
    op.create_table(
        "eventgoer",
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "user_id"),
    )
    op.create_table(
        "providername",
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("provider_id"),
    )
    op.create_table(
        "providerrecord",
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("open_complaints", sa.Integer(), nullable=False),
        sa.Column("suspensions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", "community_id"),
    )
    op.create_table(
        "residentday",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("bought", sa.Boolean(), nullable=False),
        sa.Column("took_part", sa.Boolean(), nullable=False),
        sa.Column("booked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "day", "user_id"),
    )
    op.create_table(
        "reviewer",
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", "community_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("reviewer")
    op.drop_table("residentday")
    op.drop_table("providerrecord")
    op.drop_table("providername")
    op.drop_table("eventgoer")
    op.drop_table("dayactivity")
