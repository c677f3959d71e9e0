"""service bookings: bookings, slots, and what orders knows of the directory (offerings, listings)

Revision ID: 27f5ec732ff7
Revises: d17f3a8e6b42
Create Date: 2026-11-25 12:25:49.910983
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "27f5ec732ff7"
down_revision: str | Sequence[str] | None = "d17f3a8e6b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("offering_id", sa.String(), nullable=False),
        sa.Column("offering_name", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("resident_id", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=True),
        sa.Column("free_cancellation_hours", sa.Integer(), nullable=False),
        sa.Column("late_cancellation_fee_fen", sa.Integer(), nullable=True),
        sa.Column("late_cancellation_fee_percent", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("cancelled_by", sa.String(), nullable=True),
        sa.Column("cancellation_fee_fen", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flag_reason", sa.String(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("review", sa.String(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply", sa.String(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_booking_community_created", "booking", ["community_id", "created_at"])
    op.create_index("ix_booking_offering_start_resident", "booking", ["offering_id", "starts_at", "resident_id"])
    op.create_index("ix_booking_provider_created", "booking", ["provider_id", "created_at"])
    op.create_index("ix_booking_resident_created", "booking", ["resident_id", "created_at"])

    op.create_table(
        "knownlisting",
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", "community_id"),
    )
    op.create_table(
        "knownoffering",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("price_model", sa.String(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=True),
        sa.Column("schedule", sa.String(), nullable=True),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("free_cancellation_hours", sa.Integer(), nullable=False),
        sa.Column("late_cancellation_fee_fen", sa.Integer(), nullable=True),
        sa.Column("late_cancellation_fee_percent", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_knownoffering_provider_id", "knownoffering", ["provider_id"])

    op.create_table(
        "slot",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("offering_id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("booked >= 0", name="ck_slot_booked_not_negative"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offering_id", "starts_at", name="uq_slot_offering_start"),
    )


def downgrade() -> None:
    op.drop_table("slot")
    op.drop_table("knownoffering")
    op.drop_table("knownlisting")
    op.drop_table("booking")
