"""membership requests and removals

Revision ID: bd6ae2ddd97f
Revises: f6fe0b6e42ab
Create Date: 2026-11-25 13:16:36.319974
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bd6ae2ddd97f"
down_revision: str | Sequence[str] | None = "f6fe0b6e42ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "membershiprequest",
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("membershiprequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membershiprequest_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membershiprequest_user_id"), ["user_id"], unique=False)

    op.create_table(
        "removal",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("removed_by", sa.String(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("community_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("removal")
    with op.batch_alter_table("membershiprequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membershiprequest_user_id"))
        batch_op.drop_index(batch_op.f("ix_membershiprequest_community_id"))

    op.drop_table("membershiprequest")
