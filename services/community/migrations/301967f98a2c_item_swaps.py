"""item swaps

Revision ID: 301967f98a2c
Revises: 174a706fdccc
Create Date: 2026-11-25 13:16:36.319974
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "301967f98a2c"
down_revision: str | Sequence[str] | None = "174a706fdccc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "swap",
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("swap_for", sa.String(100), nullable=True),
        sa.Column("price_fen", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("condition", sa.String(12), nullable=False),
        sa.Column("terms", sa.String(8), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("taker_id", sa.String(), nullable=True),
        sa.Column("owner_confirmed", sa.Boolean(), nullable=False),
        sa.Column("taker_confirmed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("swap", schema=None) as batch_op:
        batch_op.create_index("ix_swap_community_status", ["community_id", "status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_swap_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "swapoffer",
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("swap_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["swap_id"],
            ["swap.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("swapoffer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_swapoffer_swap_id"), ["swap_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_swapoffer_user_id"), ["user_id"], unique=False)

    op.create_table(
        "swapreport",
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("swap_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["swap_id"],
            ["swap.id"],
        ),
        sa.PrimaryKeyConstraint("swap_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("swapreport")
    with op.batch_alter_table("swapoffer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_swapoffer_user_id"))
        batch_op.drop_index(batch_op.f("ix_swapoffer_swap_id"))

    op.drop_table("swapoffer")
    with op.batch_alter_table("swap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_swap_owner_id"))
        batch_op.drop_index("ix_swap_community_status")

    op.drop_table("swap")
