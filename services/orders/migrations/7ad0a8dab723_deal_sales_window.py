"""deal sales window

Revision ID: 7ad0a8dab723
Revises: 41528676b046
Create Date: 2026-11-25 10:23:33.754267
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7ad0a8dab723"
down_revision: str | Sequence[str] | None = "41528676b046"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE deal SET opens_at = created_at")  # existing deals opened when published
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.alter_column("opens_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_column("opens_at")
