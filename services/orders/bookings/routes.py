from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import AwareDatetime

from services.orders.bookings import service, slots
from services.orders.bookings.models import (
    Booking,
    BookingCreate,
    BookingPublic,
    Cancellation,
    InquiryCreate,
    Reason,
    ReplyCreate,
    ReviewCreate,
    SlotCreate,
    SlotPublic,
    Status,
)
from shared.auth import CurrentPrincipal, Principal
from shared.fields import EntityId
from shared.idempotency import Claim, IdempotencyKey, once
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(tags=["bookings"])


def _horizon(request: Request) -> timedelta:
    return timedelta(days=request.app.state.settings.booking_horizon_days)


def _public(booking: Booking, principal: Principal) -> BookingPublic:
    return BookingPublic.of(booking, viewer=principal)


@router.post(
    "/bookings",
    status_code=status.HTTP_201_CREATED,
    response_model=BookingPublic,
    summary="Book a slot (an occurrence of the offering's schedule or a published slot)",
)
async def book(
    body: BookingCreate, request: Request, session: SessionDep, principal: CurrentPrincipal, key: IdempotencyKey
) -> Response:
    async def booked() -> BookingPublic:
        booking = await service.book(session, principal=principal, data=body, horizon=_horizon(request))
        return _public(booking, principal)

    claim = Claim.of(request, caller=principal.user_id, key=key, body=body)
    return await once(session, request, claim, booked, status=status.HTTP_201_CREATED)


@router.post(
    "/inquiries",
    status_code=status.HTTP_201_CREATED,
    response_model=BookingPublic,
    summary="Ask about an offering without slots (by quote, or no schedule); it is a booking of kind inquiry",
)
async def inquire(
    body: InquiryCreate, request: Request, session: SessionDep, principal: CurrentPrincipal, key: IdempotencyKey
) -> Response:
    async def sent() -> BookingPublic:
        return _public(await service.inquire(session, principal=principal, data=body), principal)

    claim = Claim.of(request, caller=principal.user_id, key=key, body=body)
    return await once(session, request, claim, sent, status=status.HTTP_201_CREATED)


@router.get(
    "/bookings",
    summary="My bookings; a community's (its leaders, with community_id; flagged=true: those to follow up); "
    "a provider's (partner API)",
)
async def list_bookings(
    session: SessionDep,
    principal: CurrentPrincipal,
    provider_id: EntityId | None = None,
    community_id: EntityId | None = None,
    offering_id: EntityId | None = None,
    booking_status: Annotated[Status | None, Query(alias="status")] = None,
    flagged: bool | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> list[BookingPublic]:
    bookings = await service.list_bookings(
        session,
        principal=principal,
        provider_id=provider_id,
        community_id=community_id,
        offering_id=offering_id,
        status=booking_status,
        flagged=flagged,
        limit=limit,
        offset=offset,
    )
    return [_public(b, principal) for b in bookings]


@router.get("/bookings/{booking_id}")
async def get_booking(booking_id: str, session: SessionDep, principal: CurrentPrincipal) -> BookingPublic:
    return _public(await service.get(session, principal=principal, booking_id=booking_id), principal)


@router.post("/bookings/{booking_id}/confirm", summary="The provider confirms a requested booking")
async def confirm(booking_id: str, session: SessionDep, principal: CurrentPrincipal) -> BookingPublic:
    booking = await service.confirm(session, principal=principal, booking_id=booking_id)
    await session.commit()
    return _public(booking, principal)


@router.post("/bookings/{booking_id}/decline", summary="The provider declines a requested booking, saying why")
async def decline(booking_id: str, body: Reason, session: SessionDep, principal: CurrentPrincipal) -> BookingPublic:
    booking = await service.decline(session, principal=principal, booking_id=booking_id, reason=body.reason)
    await session.commit()
    return _public(booking, principal)


@router.post(
    "/bookings/{booking_id}/cancel",
    summary="The resident or the provider cancels an open booking (late by the resident: the provider's fee)",
)
async def cancel(
    booking_id: str, session: SessionDep, principal: CurrentPrincipal, body: Cancellation | None = None
) -> BookingPublic:
    reason = body.reason if body is not None else ""
    booking = await service.cancel(session, principal=principal, booking_id=booking_id, reason=reason)
    await session.commit()
    return _public(booking, principal)


@router.post("/bookings/{booking_id}/complete", summary="The provider marks a confirmed booking done")
async def complete(booking_id: str, session: SessionDep, principal: CurrentPrincipal) -> BookingPublic:
    booking = await service.complete(session, principal=principal, booking_id=booking_id)
    await session.commit()
    return _public(booking, principal)


@router.post("/bookings/{booking_id}/review", summary="The resident reviews a completed booking (1–5)")
async def review(
    booking_id: str, body: ReviewCreate, session: SessionDep, principal: CurrentPrincipal
) -> BookingPublic:
    booking = await service.review(session, principal=principal, booking_id=booking_id, data=body)
    await session.commit()
    return _public(booking, principal)


@router.post("/bookings/{booking_id}/reply", summary="The provider replies to the review, once")
async def reply(booking_id: str, body: ReplyCreate, session: SessionDep, principal: CurrentPrincipal) -> BookingPublic:
    booking = await service.reply(session, principal=principal, booking_id=booking_id, text=body.text)
    await session.commit()
    return _public(booking, principal)


# Slots


@router.get("/slots", summary="An offering's slots in a window (default: two weeks), with the places left")
async def list_slots(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    offering_id: EntityId,
    starts_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    starts_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> list[SlotPublic]:
    return await slots.window(
        session,
        principal=principal,
        offering_id=offering_id,
        start=starts_from,
        end=starts_to,
        horizon=_horizon(request),
    )


@router.post(
    "/offerings/{offering_id}/slots",
    status_code=status.HTTP_201_CREATED,
    summary="The provider publishes a slot with its capacity (partner API)",
)
async def publish_slot(
    offering_id: str, body: SlotCreate, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> SlotPublic:
    slot = await slots.publish(
        session, principal=principal, offering_id=offering_id, data=body, horizon=_horizon(request)
    )
    await session.commit()
    return slot


@router.delete(
    "/offerings/{offering_id}/slots/{slot_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="The provider withdraws a published slot nobody has booked (partner API)",
)
async def withdraw_slot(offering_id: str, slot_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await slots.withdraw(session, principal=principal, offering_id=offering_id, slot_id=slot_id)
    await session.commit()
