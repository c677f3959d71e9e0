"""Bookings: a resident books a slot of an offering whose provider is listed in their community,
or sends an inquiry about one without slots; the provider (through the partner API) confirms,
declines, completes or cancels it; the resident cancels it or, once completed, reviews it, and
the provider may reply once. Each move emits `orders.booking.<what happened>` naming the provider
and the offering (partners' webhooks go by provider) and never the resident."""

from datetime import UTC, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.bookings import policy, slots
from services.orders.bookings.access import booking_for
from services.orders.bookings.models import Booking, BookingCreate, InquiryCreate, ReviewCreate
from services.orders.bookings.policy import (
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    DECLINED,
    INQUIRY,
    OPEN,
    REVIEWED,
    SLOT,
    Role,
)
from services.orders.directory import service as directory
from services.orders.directory.models import KnownOffering
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden
from shared.events.schemas.orders import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingDeclined,
    BookingFact,
    BookingFlagged,
    BookingReplied,
    BookingRequested,
    BookingReviewed,
)
from shared.models import utcnow


async def book(session: AsyncSession, *, principal: Principal, data: BookingCreate, horizon: timedelta) -> Booking:
    offering = await _bookable(session, principal, offering_id=data.offering_id, community_id=data.community_id)
    if offering.price_model == "quote":
        raise Conflict("this offering is priced by quote: send an inquiry (POST /inquiries)")
    starts_at = data.starts_at.astimezone(UTC)
    slots.check_start(starts_at, now=utcnow(), horizon=horizon)
    slot = await slots.lock(session, offering, starts_at)
    # Under the slot's lock, so a double press cannot slip two bookings of one resident in.
    mine = select(Booking.id).where(
        Booking.offering_id == offering.id,
        Booking.starts_at == starts_at,
        Booking.resident_id == principal.user_id,
        col(Booking.status).in_(OPEN),
    )
    if (held := (await session.exec(mine)).first()) is not None:
        raise Conflict("you already booked this slot", booking_id=held)
    slots.take_place(offering, slot)
    booking = _new(offering, principal=principal, community_id=data.community_id, kind=SLOT, note=data.note)
    booking.starts_at, booking.ends_at = starts_at, slots.ends_at(offering, starts_at)
    return await _requested(session, booking, principal)


async def inquire(session: AsyncSession, *, principal: Principal, data: InquiryCreate) -> Booking:
    offering = await _bookable(session, principal, offering_id=data.offering_id, community_id=data.community_id)
    if not policy.takes_inquiries(offering):
        raise Conflict(f"this offering is booked by slot: pick one from GET /slots?offering_id={offering.id}")
    booking = _new(offering, principal=principal, community_id=data.community_id, kind=INQUIRY, note=data.note)
    return await _requested(session, booking, principal)


async def get(session: AsyncSession, *, principal: Principal, booking_id: str) -> Booking:
    booking, _ = await booking_for(session, principal, booking_id)
    return booking


async def list_bookings(
    session: AsyncSession,
    *,
    principal: Principal,
    provider_id: str | None,
    community_id: str | None,
    offering_id: str | None,
    status: str | None,
    flagged: bool | None,
    limit: int,
    offset: int,
) -> list[Booking]:
    """A partner: its provider's bookings. A leader (or operator) asking for a community: the
    community's. Anyone else: their own."""
    query = select(Booking)
    if principal.kind == "partner":
        principal.require_provider(provider_id or principal.provider_id or "")
        query = query.where(Booking.provider_id == principal.provider_id)
    elif provider_id is not None:
        raise Forbidden("a provider lists its bookings through the partner API, with its API key")
    elif community_id is None or not (principal.operator or LEADER in principal.roles_in(community_id)):
        query = query.where(Booking.resident_id == principal.user_id)
    if community_id is not None:
        query = query.where(Booking.community_id == community_id)
    if offering_id is not None:
        query = query.where(Booking.offering_id == offering_id)
    if status is not None:
        query = query.where(Booking.status == status)
    if flagged is not None:
        query = query.where(col(Booking.flagged_at).is_not(None) if flagged else col(Booking.flagged_at).is_(None))
    query = query.order_by(col(Booking.created_at).desc(), col(Booking.id).desc()).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def confirm(session: AsyncSession, *, principal: Principal, booking_id: str) -> Booking:
    booking, _ = await _may_move(session, principal, booking_id, to=CONFIRMED)
    _moved(session, booking, CONFIRMED)
    await _announce(session, booking, BookingConfirmed, actor_id=principal.user_id)
    return booking


async def decline(session: AsyncSession, *, principal: Principal, booking_id: str, reason: str) -> Booking:
    booking, _ = await _may_move(session, principal, booking_id, to=DECLINED)
    _moved(session, booking, DECLINED)
    booking.reason = reason
    await _free_place(session, booking)
    await _announce(session, booking, BookingDeclined, actor_id=principal.user_id, reason=reason)
    return booking


async def cancel(session: AsyncSession, *, principal: Principal, booking_id: str, reason: str) -> Booking:
    booking, acting = await _may_move(session, principal, booking_id, to=CANCELLED)
    fee = policy.cancellation_fee(booking, by=acting, now=utcnow())  # on the status it leaves
    _moved(session, booking, CANCELLED)
    booking.reason, booking.cancelled_by, booking.cancellation_fee_fen = reason, acting.value, fee
    await _free_place(session, booking)
    await _announce(
        session,
        booking,
        BookingCancelled,
        actor_id=principal.user_id,
        cancelled_by=acting.value,
        reason=reason,
        fee_fen=fee,
    )
    return booking


async def complete(session: AsyncSession, *, principal: Principal, booking_id: str) -> Booking:
    booking, _ = await _may_move(session, principal, booking_id, to=COMPLETED)
    if booking.starts_at is not None and utcnow() < booking.starts_at:
        raise Conflict("a booking is completed once its slot has started", starts_at=booking.starts_at.isoformat())
    _moved(session, booking, COMPLETED)
    await _announce(session, booking, BookingCompleted, actor_id=principal.user_id)
    return booking


async def review(session: AsyncSession, *, principal: Principal, booking_id: str, data: ReviewCreate) -> Booking:
    booking, _ = await _may_move(session, principal, booking_id, to=REVIEWED)
    _moved(session, booking, REVIEWED)
    booking.rating, booking.review, booking.reviewed_at = data.rating, data.text, utcnow()
    await _announce(session, booking, BookingReviewed, actor_id=principal.user_id, rating=data.rating, text=data.text)
    return booking


async def reply(session: AsyncSession, *, principal: Principal, booking_id: str, text: str) -> Booking:
    booking, roles = await booking_for(session, principal, booking_id, lock=True)
    if Role.PROVIDER not in roles:
        raise Forbidden("the provider replies to its reviews")
    if booking.status != REVIEWED:
        raise Conflict("this booking has no review to reply to")
    if booking.reply is not None:
        raise Conflict("a review gets one reply, and this one has it")
    booking.reply, booking.replied_at = text, utcnow()
    booking.updated_at = booking.replied_at
    session.add(booking)
    await _announce(session, booking, BookingReplied, actor_id=principal.user_id, reply=text)
    return booking


async def flag_open(
    session: AsyncSession, *, provider_id: str, community_id: str, reason: str, actor_id: str | None
) -> None:
    """A provider suspended or terminated in a community: its open bookings there are flagged for
    the community's leaders (each once)."""
    query = (
        select(Booking)
        .where(
            Booking.provider_id == provider_id,
            Booking.community_id == community_id,
            col(Booking.status).in_(OPEN),
            col(Booking.flagged_at).is_(None),
        )
        .with_for_update()
    )
    for booking in (await session.exec(query)).all():
        booking.flagged_at, booking.flag_reason = utcnow(), reason
        session.add(booking)
        await _announce(session, booking, BookingFlagged, actor_id=actor_id, reason=reason)


async def _bookable(
    session: AsyncSession, principal: Principal, *, offering_id: str, community_id: str
) -> KnownOffering:
    if principal.kind != "user" or not principal.roles_in(community_id):
        raise Forbidden(f"residents of community {community_id} book there")
    offering = await directory.offering(session, offering_id)
    await directory.require_listed(session, provider_id=offering.provider_id, community_id=community_id)
    if offering.status != "active":
        raise Conflict(f"this offering is {offering.status.replace('_', ' ')} and takes no bookings")
    return offering


def _new(offering: KnownOffering, *, principal: Principal, community_id: str, kind: str, note: str) -> Booking:
    """A booking on the offering's terms as they are now (a later change of terms does not reach it)."""
    return Booking(
        kind=kind,
        offering_id=offering.id,
        offering_name=offering.name,
        category=offering.category,
        provider_id=offering.provider_id,
        community_id=community_id,
        resident_id=principal.user_id,
        note=note,
        price_fen=policy.price_of(offering),
        free_cancellation_hours=offering.free_cancellation_hours,
        late_cancellation_fee_fen=offering.late_cancellation_fee_fen,
        late_cancellation_fee_percent=offering.late_cancellation_fee_percent,
    )


async def _requested(session: AsyncSession, booking: Booking, principal: Principal) -> Booking:
    session.add(booking)
    await _announce(
        session, booking, BookingRequested, actor_id=principal.user_id, note=booking.note, price_fen=booking.price_fen
    )
    return booking


async def _may_move(session: AsyncSession, principal: Principal, booking_id: str, *, to: str) -> tuple[Booking, Role]:
    """The booking, locked, and the role the caller moves it `to` in (404, 409, 403 otherwise)."""
    booking, roles = await booking_for(session, principal, booking_id, lock=True)
    return booking, policy.check_transition(booking, to, roles)


def _moved(session: AsyncSession, booking: Booking, to: str) -> None:
    booking.status, booking.updated_at = to, utcnow()
    session.add(booking)


async def _free_place(session: AsyncSession, booking: Booking) -> None:
    if booking.starts_at is not None:
        await slots.free_place(session, offering_id=booking.offering_id, starts_at=booking.starts_at)


async def _announce(
    session: AsyncSession, booking: Booking, schema: type[BookingFact], *, actor_id: str | None, **extra: Any
) -> None:
    """`orders.booking.*`: the booking's facts (provider and offering, never the resident) and `extra`."""
    fact: dict[str, Any] = {
        "booking_id": booking.id,
        "provider_id": booking.provider_id,
        "offering_id": booking.offering_id,
        "community_id": booking.community_id,
        "kind": booking.kind,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
    }
    await emit(
        session, schema(**fact, **extra), subject=booking.id, community_id=booking.community_id, actor_id=actor_id
    )
