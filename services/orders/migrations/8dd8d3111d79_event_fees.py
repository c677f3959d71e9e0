"""event fees

Revision ID: 8dd8d3111d79
Revises: 27f5ec732ff7
Create Date: 2026-11-25 14:38:36.831519
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8dd8d3111d79"
down_revision: str | Sequence[str] | None = "27f5ec732ff7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "eventfee",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("registration_id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("pay_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("payment_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_payment_id", sa.String(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_reason", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eventfee", schema=None) as batch_op:
        batch_op.create_index("ix_eventfee_event_status", ["event_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_eventfee_registration_id"), ["registration_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("eventfee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eventfee_registration_id"))
        batch_op.drop_index("ix_eventfee_event_status")

    op.drop_table("eventfee")
