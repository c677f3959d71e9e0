"""What livestream knows of community's offline events and their sign-ups, learnt from its events:
an event card's title, time, place and seats left; a session's sign-ups."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.signups.models import KnownEvent, KnownRegistration
from shared.events.schemas.community import OfflineEventPublished, OfflineEventUpdated

SEATED = ("registered", "awaiting_payment")  # holding seats; the waitlisted do not


async def remember_event(session: AsyncSession, data: OfflineEventPublished) -> None:
    known = await session.get(KnownEvent, data.event_id)
    seats = known.seats_taken if known else 0
    await session.merge(
        KnownEvent(
            id=data.event_id,
            community_id=data.community_id,
            title=data.title,
            kind=data.kind,
            place=data.place,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            capacity=data.capacity,
            seats_taken=seats,
        )
    )


async def update_event(session: AsyncSession, data: OfflineEventUpdated) -> None:
    known = await session.get(KnownEvent, data.event_id)
    if known is not None:
        known.title, known.place, known.starts_at, known.ends_at = data.title, data.place, data.starts_at, data.ends_at
        session.add(known)


async def mark_event(session: AsyncSession, event_id: str, *, status: str, seats_taken: int | None = None) -> None:
    known = await session.get(KnownEvent, event_id)
    if known is not None:
        known.status = status
        if seats_taken is not None:
            known.seats_taken = seats_taken
        session.add(known)


async def _seats(session: AsyncSession, event_id: str, change: int) -> None:
    known = await session.get(KnownEvent, event_id)
    if known is not None:
        known.seats_taken = max(0, known.seats_taken + change)
        session.add(known)


async def registered(
    session: AsyncSession, *, registration_id: str, event_id: str, user_id: str, seats: int, status: str, at: datetime
) -> None:
    if await session.get(KnownRegistration, registration_id) is not None:
        return
    session.add(
        KnownRegistration(id=registration_id, event_id=event_id, user_id=user_id, seats=seats, status=status, at=at)
    )
    if status in SEATED:
        await _seats(session, event_id, seats)


async def cancelled(session: AsyncSession, *, registration_id: str, event_id: str, was: str, seats: int) -> None:
    registration = await session.get(KnownRegistration, registration_id)
    if registration is not None:
        registration.status = "cancelled"
        session.add(registration)
    if was in SEATED:
        await _seats(session, event_id, -seats)


async def promoted(session: AsyncSession, *, registration_id: str, event_id: str, status: str, seats: int) -> None:
    registration = await session.get(KnownRegistration, registration_id)
    if registration is not None:
        registration.status = status
        session.add(registration)
    await _seats(session, event_id, seats)


async def sign_ups_between(session: AsyncSession, *, event_ids: list[str], start: datetime, end: datetime) -> int:
    """Sign-ups (seats or waitlist places) for these events made within the window (a session's sign-ups)."""
    if not event_ids:
        return 0
    query = select(func.count()).where(
        col(KnownRegistration.event_id).in_(event_ids),
        col(KnownRegistration.at) >= start,
        col(KnownRegistration.at) <= end,
    )
    return int((await session.exec(query)).one())
