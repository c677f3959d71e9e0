"""What orders knows of catalog's directory, learnt from its events: offerings (the snapshot each
event carries, the newest winning) and where each provider is listed."""

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.directory.models import KnownListing, KnownOffering
from shared.errors import Conflict, NotFound
from shared.events.schemas.catalog import OfferingSnapshot

LISTED = "listed"


async def remember_offering(session: AsyncSession, snapshot: OfferingSnapshot, *, at: datetime) -> None:
    known = await session.get(KnownOffering, snapshot.offering_id)
    if known is not None and known.as_of > at:
        return
    fields = snapshot.model_dump(include=set(KnownOffering.model_fields) - {"id", "as_of"})
    await session.merge(KnownOffering(id=snapshot.offering_id, as_of=at, **fields))


async def remember_listing(
    session: AsyncSession, *, provider_id: str, community_id: str, state: str, at: datetime
) -> bool:
    """Record a listing's move; False if an event newer than this one was already applied."""
    known = await session.get(KnownListing, (provider_id, community_id))
    if known is not None and known.as_of > at:
        return False
    await session.merge(KnownListing(provider_id=provider_id, community_id=community_id, state=state, as_of=at))
    return True


async def offering(session: AsyncSession, offering_id: str) -> KnownOffering:
    known = await session.get(KnownOffering, offering_id)
    if known is None:
        raise NotFound(f"offering {offering_id} does not exist")
    return known


async def require_listed(session: AsyncSession, *, provider_id: str, community_id: str) -> None:
    """A provider takes new bookings in a community only while listed there (409 once suspended)."""
    listing = await session.get(KnownListing, (provider_id, community_id))
    if listing is None:
        raise NotFound(f"this provider offers nothing in community {community_id}")
    if listing.state != LISTED:
        raise Conflict(
            f"this provider is {listing.state.replace('_', ' ')} in this community and takes no new bookings",
            listing_state=listing.state,
        )


async def listed_among(session: AsyncSession, *, provider_id: str, community_ids: list[str]) -> bool:
    """Whether the provider is listed in any of these communities (whose residents may see its slots)."""
    query = select(KnownListing.community_id).where(
        KnownListing.provider_id == provider_id,
        KnownListing.state == LISTED,
        col(KnownListing.community_id).in_(community_ids),
    )
    return (await session.exec(query)).first() is not None
