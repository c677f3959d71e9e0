"""after-sales

Revision ID: 6f219436590f
Revises: 297a23babd4c
Create Date: 2026-11-25 10:52:55.504390
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6f219436590f"
down_revision: str | Sequence[str] | None = "297a23babd4c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aftersale",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("buyer_id", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("photo_urls", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("refund_fen", sa.Integer(), nullable=False),
        sa.Column("decision_note", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("aftersale", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aftersale_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aftersale_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aftersale_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aftersale", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aftersale_order_id"))
        batch_op.drop_index(batch_op.f("ix_aftersale_community_id"))
        batch_op.drop_index(batch_op.f("ix_aftersale_buyer_id"))

    op.drop_table("aftersale")
