"""Order rules: a member buys from an open deal of their community within the per-person limit;
stock is taken atomically; the order is paid when the payment provider confirms it."""

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals.models import Deal
from services.orders.deals.service import get_deal, reserve_stock
from services.orders.orders.models import PAID, PENDING_PAYMENT, Order, OrderCreate, PaymentConfirmation
from services.orders.payments.port import PaymentProvider
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events.schemas.orders import OrderPaid, OrderPlaced
from shared.models import utcnow


async def place_order(session: AsyncSession, *, principal: Principal, data: OrderCreate) -> Order:
    deal = await get_deal(session, principal=principal, deal_id=data.deal_id)
    if deal.status != "open" or deal.closes_at <= utcnow():
        raise Conflict("this deal is no longer open")
    already = await _quantity_bought(session, deal_id=deal.id, buyer_id=principal.user_id)
    if already + data.quantity > deal.per_person_limit:
        raise Conflict(
            f"at most {deal.per_person_limit} per person; you already have {already}",
            per_person_limit=deal.per_person_limit,
        )
    await reserve_stock(session, deal=deal, quantity=data.quantity)
    order = Order(
        deal_id=deal.id,
        community_id=deal.community_id,
        buyer_id=principal.user_id,
        quantity=data.quantity,
        unit_price_fen=deal.price_fen,
        amount_fen=deal.price_fen * data.quantity,
    )
    session.add(order)
    await emit(
        session,
        OrderPlaced(
            order_id=order.id,
            deal_id=deal.id,
            buyer_id=order.buyer_id,
            quantity=order.quantity,
            amount_fen=order.amount_fen,
        ),
        subject=order.id,
        community_id=order.community_id,
        actor_id=principal.user_id,
    )
    return order


async def start_payment(provider: PaymentProvider, *, order_id: str, amount_fen: int) -> None:
    """Ask the provider to collect payment; called after the order is committed (no lock held)."""
    await provider.request_payment(order_id=order_id, amount_fen=amount_fen)


async def confirm_payment(session: AsyncSession, *, principal: Principal, data: PaymentConfirmation) -> Order:
    """Apply a provider's confirmation. Duplicates and late repeats change nothing."""
    principal.require_service()
    order = await session.get(Order, data.order_id)
    if order is None:
        raise NotFound(f"order {data.order_id} does not exist")
    if order.status == PAID:
        return order
    if order.status != PENDING_PAYMENT:
        raise Conflict(f"order {order.id} is {order.status}; it cannot be paid")
    if data.amount_fen != order.amount_fen:
        raise Unprocessable(f"paid amount {data.amount_fen} does not match the order's {order.amount_fen}")
    deal = await session.get(Deal, order.deal_id)
    assert deal is not None
    order.status, order.paid_at, order.provider_payment_id = PAID, utcnow(), data.provider_payment_id
    session.add(order)
    await emit(
        session,
        OrderPaid(
            order_id=order.id,
            deal_id=deal.id,
            buyer_id=order.buyer_id,
            product_id=deal.product_id,
            product_name=deal.product_name,
            tags=deal.tags,
            quantity=order.quantity,
            amount_fen=order.amount_fen,
        ),
        subject=order.id,
        community_id=order.community_id,
        actor_id=order.buyer_id,
    )
    return order


async def get_order(session: AsyncSession, *, principal: Principal, order_id: str) -> Order:
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    if order.buyer_id != principal.user_id:
        principal.require_role(order.community_id, LEADER)
    return order


async def list_my_orders(session: AsyncSession, *, principal: Principal, limit: int, offset: int) -> list[Order]:
    query = (
        select(Order)
        .where(Order.buyer_id == principal.user_id)
        .order_by(col(Order.created_at).desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def _quantity_bought(session: AsyncSession, *, deal_id: str, buyer_id: str) -> int:
    total = await session.exec(
        select(func.coalesce(func.sum(Order.quantity), 0)).where(Order.deal_id == deal_id, Order.buyer_id == buyer_id)
    )
    return int(total.one())
