"""service directory

Revision ID: cf3b45828429
Revises: 143dfcd9e75d
Create Date: 2026-11-25 11:59:46.231807
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cf3b45828429"
down_revision: str | Sequence[str] | None = "143dfcd9e75d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(), nullable=False),
        sa.Column("resource_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_resource", ["resource", "resource_id", "id"], unique=False)

    op.create_table(
        "knowncommunity",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "provider",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("contact_phone", sa.String(), nullable=False),
        sa.Column("website", sa.String(), nullable=True),
        sa.Column("home_community_id", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "endorsement",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("leader_id", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.create_index("ix_endorsement_community_provider", ["community_id", "provider_id"], unique=False)

    op.create_table(
        "listing",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("trial_note", sa.String(), nullable=True),
        sa.Column("trial_note_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id", "community_id", name="uq_listing_provider_community"),
    )
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_listing_community_state_provider", ["community_id", "state", "provider_id"], unique=False
        )

    op.create_table(
        "offering",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("price_model", sa.String(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=True),
        sa.Column("schedule", sa.String(1000), nullable=True),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("service_area", sa.String(200), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("accessibility", sa.String(500), nullable=False),
        sa.Column("free_cancellation_hours", sa.Integer(), nullable=False),
        sa.Column("late_cancellation_fee_fen", sa.Integer(), nullable=True),
        sa.Column("late_cancellation_fee_percent", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("regulated_domain", sa.String(), nullable=False),
        sa.Column("rating_avg", sa.Float(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("assured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assured_by", sa.String(), nullable=True),
        sa.Column("slots_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.create_index("ix_offering_provider_status", ["provider_id", "status"], unique=False)

    op.create_table(
        "qualification",
        sa.Column("domain", sa.String(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("issuer", sa.String(80), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("uploaded_by", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qualification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qualification_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "complaint",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("listing_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("resident_id", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listing.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_listing_status", ["listing_id", "status"], unique=False)

    op.create_table(
        "listingtransition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.String(), nullable=False),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=True),
        sa.Column("actor_role", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listing.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("listingtransition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listingtransition_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "offeringslot",
        sa.Column("offering_id", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
        ),
        sa.PrimaryKeyConstraint("offering_id", "starts_at"),
    )
    op.create_table(
        "offeringterm",
        sa.Column("term", sa.String(), nullable=False),
        sa.Column("offering_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
        ),
        sa.PrimaryKeyConstraint("term", "offering_id"),
    )


def downgrade() -> None:
    op.drop_table("offeringterm")
    op.drop_table("offeringslot")
    with op.batch_alter_table("listingtransition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listingtransition_listing_id"))

    op.drop_table("listingtransition")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_listing_status")

    op.drop_table("complaint")
    with op.batch_alter_table("qualification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualification_provider_id"))

    op.drop_table("qualification")
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_index("ix_offering_provider_status")

    op.drop_table("offering")
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_community_state_provider")

    op.drop_table("listing")
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.drop_index("ix_endorsement_community_provider")

    op.drop_table("endorsement")
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_owner_id"))

    op.drop_table("provider")
    op.drop_table("knowncommunity")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_resource")

    op.drop_table("change")
