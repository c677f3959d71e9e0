"""community board

Revision ID: c57589e0b650
Revises: 301967f98a2c
Create Date: 2026-11-25 13:27:07.998557
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c57589e0b650"
down_revision: str | Sequence[str] | None = "301967f98a2c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boardpost",
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("boardpost", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_boardpost_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_boardpost_community_pinned", ["community_id", "status", "pinned_at", "created_at"], unique=False
        )

    op.create_table(
        "mute",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("muted_by", sa.String(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("community_id", "user_id"),
    )
    op.create_table(
        "boardcomment",
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("post_id", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["boardpost.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("boardcomment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_boardcomment_post_id"), ["post_id"], unique=False)

    op.create_table(
        "boardreaction",
        sa.Column("post_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["boardpost.id"],
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id", "kind"),
    )
    op.create_table(
        "boardreport",
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("post_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["boardpost.id"],
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("boardreport")
    op.drop_table("boardreaction")
    with op.batch_alter_table("boardcomment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_boardcomment_post_id"))

    op.drop_table("boardcomment")
    op.drop_table("mute")
    with op.batch_alter_table("boardpost", schema=None) as batch_op:
        batch_op.drop_index("ix_boardpost_community_pinned")
        batch_op.drop_index(batch_op.f("ix_boardpost_author_id"))

    op.drop_table("boardpost")
