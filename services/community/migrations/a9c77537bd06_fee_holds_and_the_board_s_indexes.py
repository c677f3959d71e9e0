"""fee holds and the board's indexes

Revision ID: a9c77537bd06
Revises: c57589e0b650
Create Date: 2026-11-25 14:38:31.251510
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9c77537bd06"
down_revision: str | Sequence[str] | None = "c57589e0b650"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("eventregistration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pay_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_eventregistration_status_pay_by", ["status", "pay_by"], unique=False)

    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index("ix_need_community_created", ["community_id", "created_at"], unique=False)

    with op.batch_alter_table("offlineevent", schema=None) as batch_op:
        batch_op.create_index("ix_offlineevent_community_published", ["community_id", "published_at"], unique=False)

    with op.batch_alter_table("swap", schema=None) as batch_op:
        batch_op.create_index("ix_swap_community_created", ["community_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("swap", schema=None) as batch_op:
        batch_op.drop_index("ix_swap_community_created")

    with op.batch_alter_table("offlineevent", schema=None) as batch_op:
        batch_op.drop_index("ix_offlineevent_community_published")

    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index("ix_need_community_created")

    with op.batch_alter_table("eventregistration", schema=None) as batch_op:
        batch_op.drop_index("ix_eventregistration_status_pay_by")
        batch_op.drop_column("pay_by")
