"""product details

Revision ID: 143dfcd9e75d
Revises: 7ea0f5dc3158
Create Date: 2026-11-25 10:13:20.232076
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "143dfcd9e75d"
down_revision: str | Sequence[str] | None = "7ea0f5dc3158"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("images", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("origin", sa.String(80), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("shelf_life_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("storage_notes", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("storage_notes")
        batch_op.drop_column("shelf_life_days")
        batch_op.drop_column("origin")
        batch_op.drop_column("images")
