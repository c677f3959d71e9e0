"""posted needs

Revision ID: 174a706fdccc
Revises: bd6ae2ddd97f
Create Date: 2026-11-25 13:16:36.319974
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "174a706fdccc"
down_revision: str | Sequence[str] | None = "bd6ae2ddd97f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "need",
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("when", sa.String(100), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("poster_id", sa.String(), nullable=False),
        sa.Column("urgency", sa.String(8), nullable=False),
        sa.Column("visibility", sa.String(12), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index("ix_need_community_status", ["community_id", "status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_need_poster_id"), ["poster_id"], unique=False)

    op.create_table(
        "needsecond",
        sa.Column("need_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["need.id"],
        ),
        sa.PrimaryKeyConstraint("need_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("needsecond")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_poster_id"))
        batch_op.drop_index("ix_need_community_status")

    op.drop_table("need")
