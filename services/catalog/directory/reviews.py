"""Reviews, learnt from orders' bookings: the resident of a completed booking rates it (1–5) and
says how it went (`orders.booking.reviewed`); the provider replies once (`orders.booking.replied`).
Catalog keeps one review per booking, never who wrote it, keeps each offering's rating (average
and count) and, with the rule complaints use (`vetting.maybe_put_under_review`), puts the provider's
listing in the review's community back under review once an offering is rated low."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import offerings, vetting
from services.catalog.directory.models import Listing, Offering, Review
from services.catalog.directory.vetting import ReviewRules
from shared.auth import Principal
from shared.errors import NotFound
from shared.events.schemas.orders import BookingReplied, BookingReviewed


async def record(session: AsyncSession, *, data: BookingReviewed, at: datetime, rules: ReviewRules) -> bool:
    """Keep a booking's review and recount its offering's rating; False if the review is known
    already (a redelivered or replayed event never counts twice)."""
    # Under the offering's lock: two reviews of one offering recount one after the other.
    locked = select(Offering).where(Offering.id == data.offering_id).with_for_update()
    offering = (await session.exec(locked)).first()
    if offering is None:
        raise NotFound(f"offering {data.offering_id} does not exist")
    if await session.get(Review, data.booking_id) is not None:
        return False
    session.add(
        Review(
            booking_id=data.booking_id,
            offering_id=offering.id,
            provider_id=data.provider_id,
            community_id=data.community_id,
            rating=data.rating,
            text=data.text,
            reviewed_at=at,
        )
    )
    await session.flush()
    # Recounted rather than adjusted, so the figures are always exactly those of the reviews kept.
    rated = select(func.avg(Review.rating), func.count()).where(Review.offering_id == offering.id)
    average, count = (await session.exec(rated)).one()
    offering.rating_avg, offering.rating_count = float(average), int(count)
    session.add(offering)
    here = select(Listing).where(Listing.provider_id == data.provider_id, Listing.community_id == data.community_id)
    listing = (await session.exec(here.with_for_update())).first()
    if listing is not None:
        await vetting.maybe_put_under_review(session, listing, rules=rules)
    return True


async def record_reply(session: AsyncSession, *, data: BookingReplied, at: datetime) -> bool:
    """Keep the provider's reply to a review; False if it has one already (a provider replies once)."""
    locked = select(Review).where(Review.booking_id == data.booking_id).with_for_update()
    review = (await session.exec(locked)).first()
    if review is None:
        # The review's event precedes its reply's in the ORDERS stream; only if applying it failed
        # does the reply come first, and failing here has the bus deliver the reply again later.
        raise NotFound(f"the review of booking {data.booking_id} has not arrived yet")
    if review.reply is not None:
        return False
    review.reply, review.replied_at = data.reply, at
    session.add(review)
    return True


async def of_offering(
    session: AsyncSession, *, principal: Principal, offering_id: str, limit: int, offset: int
) -> list[Review]:
    """An offering's reviews, newest first, for whoever may see the offering (residents of a
    community where its provider is listed, the leaders vetting it, the provider, operators)."""
    await offerings.get(session, principal=principal, offering_id=offering_id)
    query = (
        select(Review)
        .where(Review.offering_id == offering_id)
        .order_by(col(Review.reviewed_at).desc(), col(Review.booking_id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())
