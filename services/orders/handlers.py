"""What orders learns from other services' events: its read models of catalog's products and
directory (offerings, where providers are listed) and of community's communities and members."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.bookings import service as bookings
from services.orders.directory import service as directory
from services.orders.members import service as members
from services.orders.products.models import KnownProduct
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.catalog import (
    ListingListed,
    ListingMoved,
    ListingSuspended,
    ListingTerminated,
    ListingUnderReview,
    OfferingCreated,
    OfferingSnapshot,
    OfferingUpdated,
    ProductCreated,
)
from shared.events.schemas.community import CommunityCreated, MemberJoined, MemberRenamed

handlers = EventHandlers()

# Products


@handlers.on(ProductCreated)
async def remember_product(session: AsyncSession, event: Event[ProductCreated]) -> None:
    data = event.data
    assert event.community_id is not None
    await session.merge(
        KnownProduct(
            id=data.product_id,
            community_id=event.community_id,
            name=data.name,
            unit=data.unit,
            tags=data.tags,
            images=data.images,
        )
    )


# Communities and their members


@handlers.on(CommunityCreated)
async def remember_community(session: AsyncSession, event: Event[CommunityCreated]) -> None:
    await members.remember_community(session, community_id=event.data.community_id, name=event.data.name)


@handlers.on(MemberJoined)
@handlers.on(MemberRenamed)
async def remember_member(session: AsyncSession, event: Event[MemberJoined] | Event[MemberRenamed]) -> None:
    data = event.data
    await members.remember_member(
        session, community_id=data.community_id, user_id=data.user_id, display_name=data.display_name, at=event.time
    )


# The service directory: offerings, and where providers are listed (bookable while listed)


@handlers.on(OfferingCreated)
@handlers.on(OfferingUpdated)
async def remember_offering(session: AsyncSession, event: Event[Any]) -> None:
    snapshot: OfferingSnapshot = event.data
    await directory.remember_offering(session, snapshot, at=event.time)


@handlers.on(ListingListed)
@handlers.on(ListingUnderReview)
async def remember_listing(session: AsyncSession, event: Event[Any]) -> None:
    await _listing_moved(session, event)


@handlers.on(ListingSuspended)
@handlers.on(ListingTerminated)
async def flag_open_bookings(session: AsyncSession, event: Event[Any]) -> None:
    """No new bookings, and the open ones go to the community's leaders to follow up."""
    if await _listing_moved(session, event):
        data: ListingMoved = event.data
        await bookings.flag_open(
            session,
            provider_id=data.provider_id,
            community_id=data.community_id,
            reason=f"the provider was {_state(event)}: {data.reason}",
            actor_id=event.actor_id,
        )


async def _listing_moved(session: AsyncSession, event: Event[Any]) -> bool:
    data: ListingMoved = event.data
    return await directory.remember_listing(
        session, provider_id=data.provider_id, community_id=data.community_id, state=_state(event), at=event.time
    )


def _state(event: Event[Any]) -> str:
    return event.type.rsplit(".", 1)[1]  # catalog.listing.<state>
