from datetime import timedelta

from fastapi import APIRouter, Request, status

from services.orders.aftersales import service
from services.orders.aftersales.models import AfterSaleCreate, AfterSalePublic, Approval, Rejection
from services.orders.orders.service import refund
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import SessionDep

router = APIRouter(prefix="/after-sales", tags=["after-sales"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AfterSalePublic)
async def open_request(
    body: AfterSaleCreate, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> object:
    window = timedelta(days=request.app.state.settings.after_sales_days)
    case = await service.request(session, principal=principal, data=body, window=window)
    await session.commit()
    return case


@router.get("", response_model=list[AfterSalePublic], summary="A community's requests (residents: their own)")
async def list_requests(session: SessionDep, principal: CurrentPrincipal, community_id: EntityId) -> object:
    return await service.list_cases(session, principal=principal, community_id=community_id)


@router.post("/{case_id}/approve", response_model=AfterSalePublic, summary="Refund all or part")
async def approve(
    case_id: str, body: Approval, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> object:
    case = await service.approve(session, principal=principal, case_id=case_id, data=body)
    await session.commit()
    await refund(request.app.state.payments, order_id=case.order_id, amount_fen=case.refund_fen)
    return case


@router.post("/{case_id}/reject", response_model=AfterSalePublic, summary="Refuse, with a reason for the buyer")
async def reject(case_id: str, body: Rejection, session: SessionDep, principal: CurrentPrincipal) -> object:
    case = await service.reject(session, principal=principal, case_id=case_id, data=body)
    await session.commit()
    return case
