"""known communities and members (buyer names)

Revision ID: d17f3a8e6b42
Revises: 9c4e2b7d1a05
Create Date: 2026-11-25 11:56:20.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d17f3a8e6b42"
down_revision: str | Sequence[str] | None = "9c4e2b7d1a05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knowncommunity",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "knownmember",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("named_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "user_id"),
    )
    with op.batch_alter_table("knownmember", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knownmember_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("knownmember", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knownmember_user_id"))

    op.drop_table("knownmember")
    op.drop_table("knowncommunity")
