"""commission ledger

Revision ID: 53a66e0684e5
Revises: 7ad0a8dab723
Create Date: 2026-11-25 10:32:18.589729
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "53a66e0684e5"
down_revision: str | Sequence[str] | None = "7ad0a8dab723"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledgerentry",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("leader_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("deal_id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledgerentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledgerentry_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledgerentry_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledgerentry_leader_id"), ["leader_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledgerentry_order_id"), ["order_id"], unique=False)

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commission_rate_bps", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("commission_rate_bps")

    with op.batch_alter_table("ledgerentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledgerentry_order_id"))
        batch_op.drop_index(batch_op.f("ix_ledgerentry_leader_id"))
        batch_op.drop_index(batch_op.f("ix_ledgerentry_created_at"))
        batch_op.drop_index(batch_op.f("ix_ledgerentry_community_id"))

    op.drop_table("ledgerentry")
