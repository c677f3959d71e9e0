"""offline events

Revision ID: f6fe0b6e42ab
Revises: 27e26f587c9c
Create Date: 2026-11-25 12:30:25.293114
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6fe0b6e42ab"
down_revision: str | Sequence[str] | None = "27e26f587c9c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendarfeed",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("community_id", "user_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "eventorganiser",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("granted_by", sa.String(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("community_id", "user_id"),
    )
    op.create_table(
        "offlineevent",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("max_companions", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        sa.Column("rrule", sa.String(), nullable=True),
        sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("waitlisted", sa.Integer(), nullable=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.Column("reminded_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("ics", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offlineevent", schema=None) as batch_op:
        batch_op.create_index("ix_offlineevent_community_starts", ["community_id", "status", "starts_at"], unique=False)

    op.create_table(
        "eventfeedback",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["offlineevent.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "user_id"),
    )
    op.create_table(
        "eventhelper",
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["offlineevent.id"],
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id"),
    )
    op.create_table(
        "eventhighlight",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("replay_url", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["offlineevent.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eventhighlight", schema=None) as batch_op:
        batch_op.create_index("ix_eventhighlight_community_created", ["community_id", "created_at"], unique=False)

    op.create_table(
        "eventregistration",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("companions", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["offlineevent.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "code"),
        sa.UniqueConstraint("event_id", "user_id"),
    )
    with op.batch_alter_table("eventregistration", schema=None) as batch_op:
        batch_op.create_index("ix_eventregistration_event_status_seq", ["event_id", "status", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("eventregistration", schema=None) as batch_op:
        batch_op.drop_index("ix_eventregistration_event_status_seq")

    op.drop_table("eventregistration")
    with op.batch_alter_table("eventhighlight", schema=None) as batch_op:
        batch_op.drop_index("ix_eventhighlight_community_created")

    op.drop_table("eventhighlight")
    op.drop_table("eventhelper")
    op.drop_table("eventfeedback")
    with op.batch_alter_table("offlineevent", schema=None) as batch_op:
        batch_op.drop_index("ix_offlineevent_community_starts")

    op.drop_table("offlineevent")
    op.drop_table("eventorganiser")
    op.drop_table("calendarfeed")
