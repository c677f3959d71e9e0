"""share links: who referred an order, product images

Revision ID: 9c4e2b7d1a05
Revises: 045e80a9d577
Create Date: 2026-11-25 11:55:10.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4e2b7d1a05"
down_revision: str | Sequence[str] | None = "045e80a9d577"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("knownproduct", schema=None) as batch_op:
        batch_op.add_column(sa.Column("images", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referred_by", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_column("referred_by")

    with op.batch_alter_table("knownproduct", schema=None) as batch_op:
        batch_op.drop_column("images")
