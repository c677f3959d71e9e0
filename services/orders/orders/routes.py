from fastapi import APIRouter, Request, Response, status

from services.orders.orders import service
from services.orders.orders.models import OrderCreate, OrderPublic
from services.orders.orders.placing import Press
from services.orders.orders.service import Purchase
from shared.auth import CurrentPrincipal
from shared.correlation import current_trace
from shared.idempotency import Claim, IdempotencyKey
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(tags=["orders"])


@router.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderPublic)
async def place_order(
    body: OrderCreate, request: Request, principal: CurrentPrincipal, key: IdempotencyKey
) -> Response:
    press = Press(
        purchase=Purchase(principal=principal, data=body),
        claim=Claim.of(request, caller=principal.user_id, key=key, body=body),
        trace=current_trace(),
        path=request.url.path,
    )
    placed = await request.app.state.order_desk.place(press)
    if placed.order is not None:  # placed now, not a replay: collect the payment
        await service.start_payment(
            request.app.state.payments, order_id=placed.order.id, amount_fen=placed.order.amount_fen
        )
    return placed.response


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
