"""Reviews from orders' bookings, applied against a real (migrated) catalog database: one review
per booking however often its event comes (the same event twice through the service function,
or re-published under a new id past the inbox), the offering's rating recounted from the reviews
kept, the provider's one reply, and low ratings putting the listing back under review by the rule
complaints use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from services.catalog.directory import reviews
from services.catalog.directory.handlers import review_handlers
from services.catalog.directory.models import Offering, Review
from services.catalog.directory.vetting import ReviewRules
from services.catalog.settings import Settings
from shared.db import Database
from shared.errors import NotFound
from shared.events import new_event
from shared.events.schemas.orders import BookingReplied, BookingReviewed
from shared.models import new_id, utcnow
from tests.catalog.directory_db import COMMUNITY, Listed, last_move, listed_provider, published, state_of

RULES = ReviewRules.from_settings(Settings())  # under 3.0 over at least 5 ratings


def reviewed(listed: Listed, rating: int, *, booking_id: str | None = None, text: str = "还行") -> BookingReviewed:
    """orders.booking.reviewed of a (new) booking of the listed offering in COMMUNITY."""
    return BookingReviewed(
        booking_id=booking_id or new_id(),
        provider_id=listed.provider_id,
        offering_id=listed.offering_id,
        community_id=COMMUNITY,
        kind="inquiry",
        starts_at=None,
        ends_at=None,
        rating=rating,
        text=text,
    )


async def record(db: Database, data: BookingReviewed, *, late: timedelta = timedelta()) -> bool:
    async with db.session() as s:
        kept = await reviews.record(s, data=data, at=utcnow() + late, rules=RULES)
        await s.commit()
    return kept


async def rating_of(db: Database, offering_id: str) -> tuple[float, int]:
    async with db.session() as s:
        offering = await s.get(Offering, offering_id)
        assert offering is not None
        return offering.rating_avg, offering.rating_count


async def test_settings_give_the_rules() -> None:
    settings = Settings(complaint_threshold=4, low_rating_below=3.5, low_rating_min_count=8)
    assert ReviewRules.from_settings(settings) == ReviewRules(4, 3.5, 8)
    assert (RULES.low_rating_below, RULES.low_rating_min_count) == (3.0, 5)


async def test_a_review_counts_once_however_often_its_event_comes(db: Database) -> None:
    listed = await listed_provider(db)
    first = reviewed(listed, 5, text="准时、干净")
    assert await record(db, first)
    assert not await record(db, first), "the same event again"
    assert not await record(db, first.model_copy(update={"rating": 1}), late=timedelta(hours=1)), "one per booking"
    assert await rating_of(db, listed.offering_id) == (5.0, 1)
    assert await record(db, reviewed(listed, 2))
    assert await rating_of(db, listed.offering_id) == (3.5, 2)

    # Through the handlers: one review in two envelopes (re-published past the inbox) still counts once.
    third = reviewed(listed, 2)
    envelopes = [new_event(third, subject=third.booking_id, community_id=COMMUNITY) for _ in range(2)]
    outcomes = await review_handlers(RULES).apply(db, envelopes)
    assert [o.status for o in outcomes] == ["applied", "applied"]
    again = await review_handlers(RULES).apply(db, envelopes[:1])
    assert [o.status for o in again] == ["duplicate"]  # the inbox knows this envelope
    assert await rating_of(db, listed.offering_id) == (3.0, 3)
    async with db.session() as s:
        kept = (await s.exec(select(Review).where(Review.offering_id == listed.offering_id))).all()
    assert sorted((r.rating, r.text) for r in kept) == [(2, "还行"), (2, "还行"), (5, "准时、干净")]
    assert await state_of(db, listed.listing_id) == "listed"


async def test_the_provider_replies_once(db: Database) -> None:
    listed = await listed_provider(db)
    data = reviewed(listed, 4)

    def reply(text: str) -> BookingReplied:
        return BookingReplied(**data.model_dump(exclude={"rating", "text"}), reply=text)

    async with db.session() as s:
        with pytest.raises(NotFound):  # its review has not arrived: the bus delivers the reply again later
            await reviews.record_reply(s, data=reply("谢谢"), at=utcnow())
    await record(db, data)
    async with db.session() as s:
        assert await reviews.record_reply(s, data=reply("谢谢认可"), at=utcnow())
        await s.commit()
    async with db.session() as s:
        assert not await reviews.record_reply(s, data=reply("再说一次"), at=utcnow())
        await s.commit()
        review = await s.get(Review, data.booking_id)
    assert review is not None and (review.rating, review.reply) == (4, "谢谢认可") and review.replied_at


async def test_low_ratings_put_the_listing_under_review(db: Database) -> None:
    listed = await listed_provider(db)
    for rating in (1, 2, 2, 2):  # 1.75, but over four ratings: too few to judge
        await record(db, reviewed(listed, rating, text="迟到，没打扫干净"))
    assert await state_of(db, listed.listing_id) == "listed"
    await record(db, reviewed(listed, 2))
    assert await rating_of(db, listed.offering_id) == (1.8, 5)
    assert await state_of(db, listed.listing_id) == "under_review"
    last = await last_move(db, listed.listing_id)
    assert (last.from_state, last.actor_id, last.actor_role, last.reason) == (
        "listed",
        None,
        "system",
        "an offering is rated 1.8",
    )
    await record(db, reviewed(listed, 1))  # already under review: nothing more to do
    assert await published(db, "catalog.listing.under_review") == 2  # the leader's first review, and this one


async def test_good_ratings_keep_the_listing(db: Database) -> None:
    listed = await listed_provider(db)
    for rating in (1, 1, 5, 5, 5):
        await record(db, reviewed(listed, rating))
    assert await rating_of(db, listed.offering_id) == (3.4, 5)
    assert await state_of(db, listed.listing_id) == "listed"
