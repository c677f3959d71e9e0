"""Order rules: a member buys from an open deal of their community within the per-person limit;
the units are reserved until the payment deadline; the order is paid when the payment provider
confirms it — or refunded, if it confirms too late and the units have been sold meanwhile."""

from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals import stock
from services.orders.deals.service import get_deal
from services.orders.orders.models import (
    CANCELLED,
    PAID,
    PENDING_PAYMENT,
    PICKED_UP,
    REFUNDED,
    Order,
    OrderCreate,
    PaymentConfirmation,
)
from services.orders.orders.rows import lock_order
from services.orders.payments.port import PaymentProvider
from services.orders.pickup import service as pickup
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.events.schemas.orders import DealSoldOut, OrderCancelled, OrderPaid, OrderPlaced, OrderRefunded
from shared.models import utcnow


async def place_order(
    session: AsyncSession, *, principal: Principal, data: OrderCreate, payment_window: timedelta
) -> Order:
    await get_deal(session, principal=principal, deal_id=data.deal_id)  # 404 / 403 before any lock
    deal = await stock.lock(session, data.deal_id)
    now = utcnow()
    if deal.status != "open" or deal.closes_at <= now:
        raise Conflict("this deal is no longer open")
    if deal.opens_at > now:
        raise Conflict(f"this deal opens at {deal.opens_at.isoformat()}", opens_at=deal.opens_at.isoformat())
    already = await stock.units_of_buyer(session, deal_id=deal.id, buyer_id=principal.user_id, now=now)
    if already + data.quantity > deal.per_person_limit:
        raise Conflict(
            f"at most {deal.per_person_limit} per person; you already have {already}",
            per_person_limit=deal.per_person_limit,
        )
    point = pickup.choose_point(offered=deal.pickup_point_ids, chosen=data.pickup_point_id)
    left = await stock.available(session, deal, now=now)
    if data.quantity > left:
        raise Conflict(f"only {left} left of this deal", available=left)
    order = Order(
        deal_id=deal.id,
        community_id=deal.community_id,
        buyer_id=principal.user_id,
        quantity=data.quantity,
        unit_price_fen=deal.price_fen,
        amount_fen=deal.price_fen * data.quantity,
        reserved_until=now + payment_window,
        pickup_point_id=point,
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


async def refund(provider: PaymentProvider, *, order_id: str, amount_fen: int) -> None:
    """Send the money back through the provider; called after the refund is committed."""
    await provider.refund(order_id=order_id, amount_fen=amount_fen)


async def confirm_payment(session: AsyncSession, *, principal: Principal, data: PaymentConfirmation) -> Order:
    """Apply a provider's confirmation. Duplicates and late repeats change nothing. A payment that
    arrives after the reservation expired is kept only if the units are still there; otherwise the
    order is refunded (the caller sends the refund through the port once this commits)."""
    principal.require_service()
    order = await lock_order(session, data.order_id)  # a provider's retry waits, then sees it paid
    if order.status in (PAID, PICKED_UP, REFUNDED):
        return order
    if data.amount_fen != order.amount_fen:
        raise Unprocessable(f"paid amount {data.amount_fen} does not match the order's {order.amount_fen}")
    deal = await stock.lock(session, order.deal_id)
    now = utcnow()
    order.provider_payment_id = data.provider_payment_id
    if order.status == CANCELLED:
        reason = "paid after the buyer cancelled the order"
    elif order.reserved_until <= now and await stock.available(session, deal, now=now) < order.quantity:
        reason = "paid after the reservation expired and the units were sold"
    else:
        reason = None
    if reason is not None:
        order.status = REFUNDED
        session.add(order)
        await emit(
            session,
            OrderRefunded(
                order_id=order.id, deal_id=deal.id, buyer_id=order.buyer_id, amount_fen=order.amount_fen, reason=reason
            ),
            subject=order.id,
            community_id=order.community_id,
            actor_id=order.buyer_id,
        )
        return order
    order.status, order.paid_at = PAID, now
    pickup.give_code(order)
    deal.sold += order.quantity
    session.add_all([order, deal])
    if deal.sold == deal.stock:
        await emit(
            session, DealSoldOut(deal_id=deal.id, stock=deal.stock), subject=deal.id, community_id=deal.community_id
        )
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


async def cancel_order(session: AsyncSession, *, principal: Principal, order_id: str) -> Order:
    """The buyer withdraws an unpaid order; its units go back on sale at once. A paid order is
    returned through after-sales instead, and a picked-up one cannot be cancelled."""
    await get_order(session, principal=principal, order_id=order_id)  # 404 / 403 before any lock
    order = await lock_order(session, order_id)
    if order.buyer_id != principal.user_id:
        raise Forbidden("only the buyer cancels an order")
    if order.status == CANCELLED:
        return order
    if order.status != PENDING_PAYMENT:
        raise Conflict(f"order {order_id} is {order.status}; only an unpaid order can be cancelled")
    order.status = CANCELLED
    session.add(order)
    await emit(
        session,
        OrderCancelled(order_id=order.id, deal_id=order.deal_id, buyer_id=order.buyer_id, quantity=order.quantity),
        subject=order.id,
        community_id=order.community_id,
        actor_id=principal.user_id,
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
