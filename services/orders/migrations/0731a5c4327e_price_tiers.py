"""price tiers

Revision ID: 0731a5c4327e
Revises: e87dc7cc9fee
Create Date: 2026-11-25 11:03:52.726876
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0731a5c4327e"
down_revision: str | Sequence[str] | None = "e87dc7cc9fee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price_tiers", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("price_tiers")
