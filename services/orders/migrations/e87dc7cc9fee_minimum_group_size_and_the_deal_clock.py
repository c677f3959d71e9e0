"""minimum group size and the deal clock

Revision ID: e87dc7cc9fee
Revises: 6f219436590f
Create Date: 2026-11-25 10:55:34.404147
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e87dc7cc9fee"
down_revision: str | Sequence[str] | None = "6f219436590f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_group_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("announced", sa.String(), nullable=False, server_default=""))
    op.execute("UPDATE deal SET announced = 'opened'")  # existing deals opened when they were published


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("announced")
        batch_op.drop_column("min_group_size")
