"""interactions, read models of services and events, demand

Revision ID: 59eca25990df
Revises: 81808b0e20a9
Create Date: 2026-11-25 12:54:20.455476
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "59eca25990df"
down_revision: str | Sequence[str] | None = "81808b0e20a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cooccurrence",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("other", sa.String(), nullable=False),
        sa.Column("together", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "item", "other"),
    )
    op.create_table(
        "demandalert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "category", "window_start"),
    )
    with op.batch_alter_table("demandalert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demandalert_community_id"), ["community_id"], unique=False)

    op.create_table(
        "demandsignal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("demandsignal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demandsignal_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_demandsignal_community_id"), ["community_id"], unique=False)

    op.create_table(
        "eventview",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eventview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eventview_community_id"), ["community_id"], unique=False)

    op.create_table(
        "interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "item"),
    )
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interaction_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interaction_item"), ["item"], unique=False)
        batch_op.create_index(batch_op.f("ix_interaction_user_id"), ["user_id"], unique=False)

    op.create_table(
        "itemstat",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("takers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "item"),
    )
    op.create_table(
        "listingview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("endorsements", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id", "community_id"),
    )
    with op.batch_alter_table("listingview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listingview_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listingview_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "offeringview",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offeringview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offeringview_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "optout",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "topicmapentry",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("tag", sa.String(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "tag"),
    )
    # Purchases become interactions with deals, and count for popularity and co-occurrence.
    op.execute(
        "INSERT INTO interaction (user_id, community_id, item, at) "
        "SELECT user_id, community_id, 'deal:' || deal_id, bought_at FROM purchase"
    )
    op.execute(
        "INSERT INTO itemstat (community_id, item, takers) "
        "SELECT community_id, item, COUNT(*) FROM interaction GROUP BY community_id, item"
    )
    op.execute(
        "INSERT INTO cooccurrence (community_id, item, other, together) "
        "SELECT a.community_id, a.item, b.item, COUNT(*) FROM interaction a JOIN interaction b "
        "ON a.user_id = b.user_id AND a.community_id = b.community_id AND a.item <> b.item "
        "GROUP BY a.community_id, a.item, b.item"
    )
    with op.batch_alter_table("purchase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_community_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_deal_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_user_id"))

    op.drop_table("purchase")
    with op.batch_alter_table("dealview", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(), nullable=False, server_default="purchase"))


def downgrade() -> None:
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_column("source")

    with op.batch_alter_table("dealview", schema=None) as batch_op:
        batch_op.drop_column("ended")

    op.create_table(
        "purchase",
        sa.Column("id", sa.INTEGER(), nullable=False),
        sa.Column("user_id", sa.VARCHAR(), nullable=False),
        sa.Column("community_id", sa.VARCHAR(), nullable=False),
        sa.Column("deal_id", sa.VARCHAR(), nullable=False),
        sa.Column("bought_at", sa.DATETIME(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "deal_id"),
    )
    with op.batch_alter_table("purchase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchase_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_purchase_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_purchase_community_id"), ["community_id"], unique=False)
    op.execute(
        "INSERT INTO purchase (user_id, community_id, deal_id, bought_at) "
        "SELECT user_id, community_id, substr(item, 6), at FROM interaction WHERE item LIKE 'deal:%'"
    )

    op.drop_table("topicmapentry")
    op.drop_table("optout")
    with op.batch_alter_table("offeringview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offeringview_provider_id"))

    op.drop_table("offeringview")
    with op.batch_alter_table("listingview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listingview_provider_id"))
        batch_op.drop_index(batch_op.f("ix_listingview_community_id"))

    op.drop_table("listingview")
    op.drop_table("itemstat")
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_user_id"))
        batch_op.drop_index(batch_op.f("ix_interaction_item"))
        batch_op.drop_index(batch_op.f("ix_interaction_community_id"))

    op.drop_table("interaction")
    with op.batch_alter_table("eventview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eventview_community_id"))

    op.drop_table("eventview")
    with op.batch_alter_table("demandsignal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demandsignal_community_id"))
        batch_op.drop_index(batch_op.f("ix_demandsignal_at"))

    op.drop_table("demandsignal")
    with op.batch_alter_table("demandalert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demandalert_community_id"))

    op.drop_table("demandalert")
    op.drop_table("cooccurrence")
