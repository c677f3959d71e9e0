"""pickup points and codes

Revision ID: 41528676b046
Revises: 8211d957efec
Create Date: 2026-11-25 10:07:31.106807
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "41528676b046"
down_revision: str | Sequence[str] | None = "8211d957efec"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pickuppoint",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("staff_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pickuppoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pickuppoint_community_id"), ["community_id"], unique=False)

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_point_ids", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_point_id", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("pickup_code", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("picked_up_by", sa.String(), nullable=True))
        batch_op.create_unique_constraint("uq_order_pickup_code", ["pickup_point_id", "pickup_code"])
        batch_op.create_foreign_key("fk_order_pickup_point", "pickuppoint", ["pickup_point_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_constraint("fk_order_pickup_point", type_="foreignkey")
        batch_op.drop_constraint("uq_order_pickup_code", type_="unique")
        batch_op.drop_column("picked_up_by")
        batch_op.drop_column("picked_up_at")
        batch_op.drop_column("pickup_code")
        batch_op.drop_column("pickup_point_id")

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("pickup_point_ids")

    with op.batch_alter_table("pickuppoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pickuppoint_community_id"))

    op.drop_table("pickuppoint")
