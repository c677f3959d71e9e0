from fastapi import APIRouter, Request, Response, status

from services.orders.eventfees import service
from services.orders.eventfees.models import EventFeePay, EventFeePublic
from shared.auth import CurrentPrincipal
from shared.idempotency import Claim, IdempotencyKey, once
from shared.service import ReaderDep, SessionDep

router = APIRouter(tags=["event fees"])


@router.post(
    "/event-fees",
    status_code=status.HTTP_201_CREATED,
    response_model=EventFeePublic,
    summary="Pay the fee of my seat held at an offline event (the registrant); confirmed by the provider's callback",
)
async def pay(
    body: EventFeePay, request: Request, session: SessionDep, principal: CurrentPrincipal, key: IdempotencyKey
) -> Response:
    async def requested() -> EventFeePublic:
        fee = await service.pay(
            session, principal=principal, payments=request.app.state.payments, registration_id=body.registration_id
        )
        return EventFeePublic.model_validate(fee, from_attributes=True)

    claim = Claim.of(request, caller=principal.user_id, key=key, body=body)
    return await once(session, request, claim, requested, status=status.HTTP_201_CREATED)


@router.get("/event-fees/{fee_id}", summary="An event fee (its payer, and the community's leaders)")
async def get_fee(fee_id: str, session: ReaderDep, principal: CurrentPrincipal) -> EventFeePublic:
    fee = await service.get_fee(session, principal=principal, fee_id=fee_id)
    return EventFeePublic.model_validate(fee, from_attributes=True)
