"""deals for several communities

Revision ID: 045e80a9d577
Revises: 0731a5c4327e
Create Date: 2026-11-25 11:53:53.989103
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "045e80a9d577"
down_revision: str | Sequence[str] | None = "0731a5c4327e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dealcommunity",
        sa.Column("deal_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"]),
        sa.PrimaryKeyConstraint("deal_id", "community_id"),
    )
    with op.batch_alter_table("dealcommunity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dealcommunity_community_id"), ["community_id"], unique=False)

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("also_for", sa.JSON(), nullable=False, server_default="[]"))
    op.execute("INSERT INTO dealcommunity (deal_id, community_id) SELECT id, community_id FROM deal")


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("also_for")

    with op.batch_alter_table("dealcommunity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dealcommunity_community_id"))

    op.drop_table("dealcommunity")
