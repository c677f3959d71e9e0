"""deal opening time

Revision ID: 81808b0e20a9
Revises: 66e1505695ed
Create Date: 2026-11-25 10:23:32.958251
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "81808b0e20a9"
down_revision: str | Sequence[str] | None = "66e1505695ed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dealview", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dealview", schema=None) as batch_op:
        batch_op.drop_column("opens_at")
