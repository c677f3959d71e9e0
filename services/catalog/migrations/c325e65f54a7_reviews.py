"""reviews

Revision ID: c325e65f54a7
Revises: cf3b45828429
Create Date: 2026-11-25 12:43:11.114596
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c325e65f54a7"
down_revision: str | Sequence[str] | None = "cf3b45828429"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("booking_id", sa.String(), nullable=False),
        sa.Column("offering_id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.String(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["offering_id"], ["offering.id"]),
        sa.PrimaryKeyConstraint("booking_id"),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index("ix_review_offering_reviewed", ["offering_id", "reviewed_at", "booking_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_offering_reviewed")
    op.drop_table("review")
