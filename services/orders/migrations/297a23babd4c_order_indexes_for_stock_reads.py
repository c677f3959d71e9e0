"""order indexes for stock reads

Revision ID: 297a23babd4c
Revises: 53a66e0684e5
Create Date: 2026-11-25 10:39:47.734369
"""

from collections.abc import Sequence

from alembic import op

revision: str = "297a23babd4c"
down_revision: str | Sequence[str] | None = "53a66e0684e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.create_index("ix_order_deal_buyer", ["deal_id", "buyer_id"], unique=False)
        batch_op.create_index("ix_order_deal_status_reserved", ["deal_id", "status", "reserved_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_index("ix_order_deal_status_reserved")
        batch_op.drop_index("ix_order_deal_buyer")
