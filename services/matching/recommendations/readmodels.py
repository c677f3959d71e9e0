"""Keeping what can be recommended: deals, sessions, offerings and listings, offline events."""

from datetime import datetime

from sqlalchemy import Integer, bindparam, case, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching import transaction_memo
from services.matching.recommendations.models import (
    DealView,
    EventView,
    ListingView,
    OfferingView,
    SessionView,
    SwapView,
)
from shared.events.schemas.catalog import OfferingSnapshot
from shared.events.schemas.community import OfflineEventPublished, SwapPosted
from shared.events.schemas.livestream import SessionScheduled
from shared.events.schemas.orders import DealPublished


async def remember_deal(session: AsyncSession, *, data: DealPublished, at: datetime) -> None:
    await session.merge(
        DealView(
            id=data.deal_id,
            community_id=data.community_id,
            title=data.product_name,
            tags=data.tags,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            published_at=at,
        )
    )


async def end_deal(session: AsyncSession, *, deal_id: str) -> None:
    if (deal := await session.get(DealView, deal_id)) is not None:
        deal.ended = True
        session.add(deal)


async def remember_session(session: AsyncSession, *, data: SessionScheduled, at: datetime) -> None:
    await session.merge(
        SessionView(
            id=data.session_id,
            community_id=data.community_id,
            title=data.title,
            topics=data.topics,
            planned_start=data.planned_start,
            published_at=at,
        )
    )


async def remember_offering(session: AsyncSession, *, data: OfferingSnapshot, at: datetime) -> None:
    transaction_memo.forget(session, ("offering", data.offering_id))
    offering = await session.get(OfferingView, data.offering_id) or OfferingView(
        id=data.offering_id,
        provider_id=data.provider_id,
        name=data.name,
        category=data.category,
        active=True,
        published_at=at,
    )
    offering.name, offering.category, offering.active = data.name, data.category, data.status == "active"
    session.add(offering)


_NAME_AND_CATEGORY = select(OfferingView.name, OfferingView.category).where(OfferingView.id == bindparam("id"))


async def name_and_category(session: AsyncSession, offering_id: str) -> tuple[str, str] | None:
    """What a booking of the offering says of the resident (read on every booking: two columns, no ORM
    object, once per transaction)."""

    async def read() -> tuple[str, str] | None:
        return (await session.exec(_NAME_AND_CATEGORY, params={"id": offering_id})).first()

    return await transaction_memo.remembered(session, ("offering", offering_id), read)


async def rate_offering(session: AsyncSession, *, offering_id: str, rating: int) -> None:
    if (offering := await session.get(OfferingView, offering_id)) is not None:
        offering.rating_sum += rating
        offering.rating_count += 1
        session.add(offering)


async def _listing(session: AsyncSession, provider_id: str, community_id: str) -> ListingView:
    found = (
        await session.exec(
            select(ListingView).where(ListingView.provider_id == provider_id, ListingView.community_id == community_id)
        )
    ).first()
    return found or ListingView(provider_id=provider_id, community_id=community_id, state="applied")


async def move_listing(session: AsyncSession, *, provider_id: str, community_id: str, state: str) -> None:
    listing = await _listing(session, provider_id, community_id)
    listing.state = state
    session.add(listing)


async def endorse(session: AsyncSession, *, provider_id: str, community_id: str, delta: int) -> None:
    listing = await _listing(session, provider_id, community_id)
    listing.endorsements = max(listing.endorsements + delta, 0)
    session.add(listing)


async def remember_event(session: AsyncSession, *, data: OfflineEventPublished, at: datetime) -> None:
    transaction_memo.forget(session, ("event", data.event_id))
    event = await session.get(EventView, data.event_id)
    seats_taken = event.seats_taken if event is not None else 0
    await session.merge(
        EventView(
            id=data.event_id,
            community_id=data.community_id,
            title=data.title,
            kind=data.kind,
            starts_at=data.starts_at,
            registration_closes_at=data.registration_closes_at,
            capacity=data.capacity,
            seats_taken=seats_taken,
            status="published",
            published_at=event.published_at if event is not None else at,
        )
    )


_TITLE_AND_KIND = select(EventView.title, EventView.kind).where(EventView.id == bindparam("id"))


async def title_and_kind(session: AsyncSession, event_id: str) -> tuple[str, str] | None:
    """What joining the event says of the resident (read on every sign-up: two columns, no ORM object,
    once per transaction)."""

    async def read() -> tuple[str, str] | None:
        return (await session.exec(_TITLE_AND_KIND, params={"id": event_id})).first()

    return await transaction_memo.remembered(session, ("event", event_id), read)


async def move_event(session: AsyncSession, *, event_id: str, status: str) -> None:
    if (event := await session.get(EventView, event_id)) is not None:
        event.status = status
        session.add(event)


_SEATS_AFTER = col(EventView.seats_taken) + bindparam("seats", type_=Integer)
# One UPDATE per sign-up rather than a load and a unit-of-work flush. It leaves alone any EventView
# this session still holds (none outlives the handler that loaded it).
_TAKE_SEATS = (
    update(EventView)
    .where(col(EventView.id) == bindparam("event_id"))
    .values(seats_taken=case((_SEATS_AFTER > 0, _SEATS_AFTER), else_=0))
    .execution_options(synchronize_session=False)
)


async def take_seats(session: AsyncSession, *, event_id: str, seats: int) -> None:
    """Seats taken (negative: freed); an event with none left is not recommended."""
    await session.execute(_TAKE_SEATS, {"event_id": event_id, "seats": seats})


async def remember_swap(session: AsyncSession, *, data: SwapPosted, at: datetime) -> None:
    await session.merge(
        SwapView(
            id=data.swap_id,
            community_id=data.community_id,
            owner_id=data.owner_id,
            title=data.title,
            category=data.category,
            published_at=at,
        )
    )


async def swap_view(session: AsyncSession, swap_id: str) -> SwapView | None:
    return await session.get(SwapView, swap_id)


async def open_swap(session: AsyncSession, *, swap_id: str, open_: bool) -> None:
    """Promised, handed over, hidden after a report or removed: no longer recommended; restored: again."""
    if (swap := await session.get(SwapView, swap_id)) is not None:
        swap.open = open_
        session.add(swap)
