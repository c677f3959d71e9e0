from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from services.orders.orders import service
from services.orders.orders.models import REFUNDED, OrderCreate, OrderPublic, PaymentConfirmation
from shared import idempotency
from shared.auth import CurrentPrincipal
from shared.idempotency import IdempotencyKey
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(tags=["orders"])


@router.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderPublic)
async def place_order(
    body: OrderCreate, request: Request, session: SessionDep, principal: CurrentPrincipal, key: IdempotencyKey
) -> Response:
    window = timedelta(seconds=request.app.state.settings.payment_window_seconds)

    async def place() -> OrderPublic:
        order = await service.place_order(session, principal=principal, data=body, payment_window=window)
        return OrderPublic.of(order, viewer=principal.user_id)

    result = await idempotency.once(
        request.app.state.db,
        session,
        http=request,
        caller=principal.user_id,
        key=key,
        body=body,
        status_code=status.HTTP_201_CREATED,
        operation=place,
    )
    if result.value is not None:  # placed now, not a replay: collect the payment
        await service.start_payment(
            request.app.state.payments, order_id=result.value.id, amount_fen=result.value.amount_fen
        )
    return result.response


@router.get("/orders", summary="My orders")
async def list_my_orders(
    session: SessionDep, principal: CurrentPrincipal, limit: Limit = 20, offset: Offset = 0
) -> list[OrderPublic]:
    orders = await service.list_my_orders(session, principal=principal, limit=limit, offset=offset)
    return [OrderPublic.of(o, viewer=principal.user_id) for o in orders]


@router.get("/orders/{order_id}")
async def get_order(order_id: str, session: SessionDep, principal: CurrentPrincipal) -> OrderPublic:
    return OrderPublic.of(
        await service.get_order(session, principal=principal, order_id=order_id), viewer=principal.user_id
    )


@router.post("/orders/{order_id}/cancel", summary="Withdraw an unpaid order (its units go back on sale)")
async def cancel_order(order_id: str, session: SessionDep, principal: CurrentPrincipal) -> OrderPublic:
    order = await service.cancel_order(session, principal=principal, order_id=order_id)
    await session.commit()
    return OrderPublic.of(order, viewer=principal.user_id)


@router.post(
    "/internal/payments/confirmations",
    summary="A verified payment-provider confirmation, forwarded by the gateway",
)
async def confirm_payment(
    body: PaymentConfirmation, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> OrderPublic:
    order = await service.confirm_payment(session, principal=principal, data=body)
    await session.commit()
    if order.status == REFUNDED:
        await service.refund(request.app.state.payments, order_id=order.id, amount_fen=order.amount_fen)
    return OrderPublic.of(order, viewer=principal.user_id)
