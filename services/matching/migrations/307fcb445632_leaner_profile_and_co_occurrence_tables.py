"""leaner profile and co-occurrence tables

Every event a resident causes writes an interaction, a few interests and a pair count per item they
took before, and every recommendation reads those pairs. The indexes dropped here served no query
(the unique indexes serve them all) but had to be updated on each insert; on SQLite the counts are
kept in key order (WITHOUT ROWID), read in one range and updated in place.

Revision ID: 307fcb445632
Revises: c2c5f59ed727
Create Date: 2026-12-08 00:41:33.132388
"""

from collections.abc import Sequence

from alembic import op

revision: str = "307fcb445632"
down_revision: str | Sequence[str] | None = "c2c5f59ed727"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_COUNTS = ("itemstat", "cooccurrence")


def upgrade() -> None:
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_community_id"))
        batch_op.drop_index(batch_op.f("ix_interaction_item"))
        batch_op.drop_index(batch_op.f("ix_interaction_user_id"))

    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interest_community_id"))
        batch_op.drop_index(batch_op.f("ix_interest_user_id"))

    if op.get_bind().dialect.name == "sqlite":  # the option is SQLite's: its tables are copied anew with it
        for table in _COUNTS:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_with_rowid": False}):
                pass


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _COUNTS:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_with_rowid": True}):
                pass

    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interest_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interest_community_id"), ["community_id"], unique=False)

    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interaction_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interaction_item"), ["item"], unique=False)
        batch_op.create_index(batch_op.f("ix_interaction_community_id"), ["community_id"], unique=False)
