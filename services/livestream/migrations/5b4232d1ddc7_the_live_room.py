"""the live room

Session details (stream URLs, states, room settings), reminders, guests, cards and testimonials, polls,
questions, leads, giveaways, highlights, moderation, the room lease, and the read models of catalog,
orders and community.

Revision ID: 5b4232d1ddc7
Revises: dc266140b6bd
Create Date: 2026-11-25 13:11:30.873831
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b4232d1ddc7"
down_revision: str | Sequence[str] | None = "dc266140b6bd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knowndeal",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_ids", sa.JSON(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("product_name", sa.String(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("per_person_limit", sa.Integer(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("sold_out", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knowndeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowndeal_product_id"), ["product_id"], unique=False)

    op.create_table(
        "knownendorsement",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("leader_id", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knownendorsement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knownendorsement_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "knownevent",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "knownlisting",
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", "community_id"),
    )
    op.create_table(
        "knownmember",
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("named_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "user_id"),
    )
    op.create_table(
        "knownoffering",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("price_model", sa.String(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knownoffering", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knownoffering_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "knownorder",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("deal_id", sa.String(), nullable=False),
        sa.Column("buyer_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=True),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("product_name", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knownorder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knownorder_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knownorder_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knownorder_product_id"), ["product_id"], unique=False)

    op.create_table(
        "knownproduct",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "knownprovider",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "knownqualification",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knownqualification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knownqualification_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "knownregistration",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knownregistration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knownregistration_event_id"), ["event_id"], unique=False)

    op.create_table(
        "card",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("ref_id", sa.String(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_ref_id"), ["ref_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_session_id"), ["session_id"], unique=False)

    op.create_table(
        "giveaway",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("prizes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("seed", sa.String(), nullable=True),
        sa.Column("eligible", sa.JSON(), nullable=False),
        sa.Column("winners", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("giveaway", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_giveaway_session_id"), ["session_id"], unique=False)

    op.create_table(
        "guest",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=True),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("guest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guest_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guest_user_id"), ["user_id"], unique=False)

    op.create_table(
        "highlight",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("offset_seconds", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("highlight", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_highlight_session_id"), ["session_id"], unique=False)

    op.create_table(
        "lead",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("viewer_id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("card_id", sa.String(), nullable=True),
        sa.Column("keyword", sa.String(), nullable=True),
        sa.Column("provider_id", sa.String(), nullable=True),
        sa.Column("offering_id", sa.String(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("route_to", sa.String(), nullable=False),
        sa.Column("route_to_id", sa.String(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("dedupe_key", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_session_id"), ["session_id"], unique=False)

    op.create_table(
        "mute",
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id"),
    )
    op.create_table(
        "poll",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_session_id"), ["session_id"], unique=False)

    op.create_table(
        "question",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("card_id", sa.String(), nullable=True),
        sa.Column("deal_id", sa.String(), nullable=True),
        sa.Column("product_id", sa.String(), nullable=True),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_session_id"), ["session_id"], unique=False)

    op.create_table(
        "reminder",
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id"),
    )
    op.create_table(
        "removal",
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id"),
    )
    op.create_table(
        "roomlease",
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seq_reserved", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_table(
        "testimonial",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("community_id", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["livesession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("testimonial", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_testimonial_session_id"), ["session_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("author_role", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_question_id"), ["question_id"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("poll_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("option_ids", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["poll.id"],
        ),
        sa.PrimaryKeyConstraint("poll_id", "user_id"),
    )
    op.create_table(
        "upvote",
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.PrimaryKeyConstraint("question_id", "user_id"),
    )
    with op.batch_alter_table("livesession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_url", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("ingest_url", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("playback_url", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("replay_url", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("community_only", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("peak_viewers", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("slow_mode_seconds", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("blocked_words", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("lead_keywords", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("pinned_message", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("livesession", schema=None) as batch_op:
        batch_op.drop_column("pinned_message")
        batch_op.drop_column("lead_keywords")
        batch_op.drop_column("blocked_words")
        batch_op.drop_column("slow_mode_seconds")
        batch_op.drop_column("peak_viewers")
        batch_op.drop_column("reminder_sent_at")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("community_only")
        batch_op.drop_column("replay_url")
        batch_op.drop_column("playback_url")
        batch_op.drop_column("ingest_url")
        batch_op.drop_column("cover_url")

    op.drop_table("upvote")
    op.drop_table("ballot")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_question_id"))

    op.drop_table("answer")
    with op.batch_alter_table("testimonial", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_testimonial_session_id"))

    op.drop_table("testimonial")
    op.drop_table("roomlease")
    op.drop_table("removal")
    op.drop_table("reminder")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_session_id"))
        batch_op.drop_index(batch_op.f("ix_question_product_id"))

    op.drop_table("question")
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_session_id"))

    op.drop_table("poll")
    op.drop_table("mute")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_session_id"))

    op.drop_table("lead")
    with op.batch_alter_table("highlight", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_highlight_session_id"))

    op.drop_table("highlight")
    with op.batch_alter_table("guest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guest_user_id"))
        batch_op.drop_index(batch_op.f("ix_guest_session_id"))

    op.drop_table("guest")
    with op.batch_alter_table("giveaway", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_giveaway_session_id"))

    op.drop_table("giveaway")
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_session_id"))
        batch_op.drop_index(batch_op.f("ix_card_ref_id"))

    op.drop_table("card")
    with op.batch_alter_table("knownregistration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knownregistration_event_id"))

    op.drop_table("knownregistration")
    with op.batch_alter_table("knownqualification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knownqualification_provider_id"))

    op.drop_table("knownqualification")
    op.drop_table("knownprovider")
    op.drop_table("knownproduct")
    with op.batch_alter_table("knownorder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knownorder_product_id"))
        batch_op.drop_index(batch_op.f("ix_knownorder_deal_id"))
        batch_op.drop_index(batch_op.f("ix_knownorder_buyer_id"))

    op.drop_table("knownorder")
    with op.batch_alter_table("knownoffering", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knownoffering_provider_id"))

    op.drop_table("knownoffering")
    op.drop_table("knownmember")
    op.drop_table("knownlisting")
    op.drop_table("knownevent")
    with op.batch_alter_table("knownendorsement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knownendorsement_provider_id"))

    op.drop_table("knownendorsement")
    with op.batch_alter_table("knowndeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowndeal_product_id"))

    op.drop_table("knowndeal")
