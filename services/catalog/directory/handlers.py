"""What the directory learns from other services' events: the communities providers apply to
(community), and the reviews of its offerings (orders' bookings)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import reviews
from services.catalog.directory.models import KnownCommunity
from services.catalog.directory.vetting import ReviewRules
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.community import CommunityCreated
from shared.events.schemas.orders import BookingReplied, BookingReviewed

handlers = EventHandlers()


@handlers.on(CommunityCreated)
async def remember_community(session: AsyncSession, event: Event[CommunityCreated]) -> None:
    """Providers apply to communities that exist; the guide carries the community's name."""
    await session.merge(KnownCommunity(id=event.data.community_id, name=event.data.name))


def review_handlers(rules: ReviewRules) -> EventHandlers:
    """Reviews and replies from bookings; a low rating may put a listing under review, by `rules`."""
    registry = EventHandlers()

    @registry.on(BookingReviewed)
    async def keep_review(session: AsyncSession, event: Event[BookingReviewed]) -> None:
        await reviews.record(session, data=event.data, at=event.time, rules=rules)

    @registry.on(BookingReplied)
    async def keep_reply(session: AsyncSession, event: Event[BookingReplied]) -> None:
        await reviews.record_reply(session, data=event.data, at=event.time)

    return registry
