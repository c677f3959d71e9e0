"""member display names

Revision ID: 27e26f587c9c
Revises: 04f14c19c482
Create Date: 2026-11-25 11:50:02.227973
"""

import zlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "27e26f587c9c"
down_revision: str | Sequence[str] | None = "04f14c19c482"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(32), nullable=False, server_default=""))
    # Existing members get the default name new members get (frozen here: default_display_name).
    connection = op.get_bind()
    users = connection.execute(sa.text("SELECT DISTINCT user_id FROM membership")).scalars().all()
    for user_id in users:
        connection.execute(
            sa.text("UPDATE membership SET display_name = :name WHERE user_id = :user_id"),
            {"name": f"邻居{zlib.crc32(user_id.encode()) % 10_000:04d}", "user_id": user_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("display_name")
