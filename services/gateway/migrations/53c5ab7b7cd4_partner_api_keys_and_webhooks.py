"""partner API keys and webhooks

Revision ID: 53c5ab7b7cd4
Revises: 5f3878080774
Create Date: 2026-11-25 12:28:35.682437
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "53c5ab7b7cd4"
down_revision: str | Sequence[str] | None = "5f3878080774"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apikey",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("prefix", sa.String(), nullable=False),
        sa.Column("secret_digest", sa.String(), nullable=False),
        sa.Column("signing_secret", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apikey_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "partnernotice",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("subscription_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("partnernotice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnernotice_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "signedcall",
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("webhook_id", sa.String(200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "webhook_id"),
    )
    with op.batch_alter_table("signedcall", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signedcall_received_at"), ["received_at"], unique=False)

    op.create_table(
        "webhooksubscription",
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("disabled_reason", sa.String(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["apikey.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhooksubscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhooksubscription_key_id"), ["key_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_webhooksubscription_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "webhookdelivery",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("subscription_id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhooksubscription.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "message_id"),
    )
    with op.batch_alter_table("webhookdelivery", schema=None) as batch_op:
        batch_op.create_index("ix_webhookdelivery_due", ["subscription_id", "status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_webhookdelivery_provider", ["provider_id", "created_at"], unique=False)

    op.create_table(
        "webhookattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("response", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhookdelivery.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhookattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhookattempt_delivery_id"), ["delivery_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhookattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhookattempt_delivery_id"))

    op.drop_table("webhookattempt")
    with op.batch_alter_table("webhookdelivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhookdelivery_provider")
        batch_op.drop_index("ix_webhookdelivery_due")

    op.drop_table("webhookdelivery")
    with op.batch_alter_table("webhooksubscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhooksubscription_provider_id"))
        batch_op.drop_index(batch_op.f("ix_webhooksubscription_key_id"))

    op.drop_table("webhooksubscription")
    with op.batch_alter_table("signedcall", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signedcall_received_at"))

    op.drop_table("signedcall")
    with op.batch_alter_table("partnernotice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnernotice_provider_id"))

    op.drop_table("partnernotice")
    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apikey_provider_id"))

    op.drop_table("apikey")
