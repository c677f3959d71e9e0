"""Order rules: a member buys from an open deal of their community within the per-person limit;
the units are reserved until the payment deadline; the order is paid when the payment provider
confirms it — or refunded, if it confirms too late and the units have been sold meanwhile."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals import stock
from services.orders.deals.models import FULFILLED
from services.orders.deals.service import buyer_community, get_deal, referrer
from services.orders.orders.models import (
    CANCELLED,
    PAID,
    PENDING_PAYMENT,
    PICKED_UP,
    REFUNDED,
    Order,
    OrderCreate,
)
from services.orders.orders.rows import lock_order
from services.orders.payments.port import PaymentProvider
from services.orders.pickup import service as pickup
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.db import after_commit
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.schemas.orders import DealSoldOut, OrderCancelled, OrderPaid, OrderPlaced, OrderRefunded
from shared.models import utcnow


@dataclass(frozen=True)
class Purchase:
    """One press on "buy": who, and what."""

    principal: Principal
    data: OrderCreate


class Counter:
    """Where a batch of purchases is served in one transaction, in arrival order, each as if alone:
    the deals they buy from are locked, and their stock and their buyers' units counted, once."""

    def __init__(
        self,
        session: AsyncSession,
        left: dict[str, int],
        units: dict[tuple[str, str], int],
        *,
        now: datetime,
        payment_window: timedelta,
    ) -> None:
        self.session, self.left, self.units = session, left, units
        self.now, self.payment_window = now, payment_window

    @classmethod
    async def open(
        cls, session: AsyncSession, *, purchases: Sequence[Purchase], payment_window: timedelta
    ) -> "Counter":
        now = utcnow()
        deals = await stock.lock_many(session, {p.data.deal_id for p in purchases})
        held = await stock.held(session, list(deals), now=now)
        buyer_ids = {p.principal.user_id for p in purchases}
        units = await stock.units_of_buyers(session, deal_ids=list(deals), buyer_ids=buyer_ids, now=now)
        left = {deal.id: deal.stock - deal.sold - held.get(deal.id, 0) for deal in deals.values()}
        return cls(session, left, units, now=now, payment_window=payment_window)

    async def place(self, purchase: Purchase) -> Order:
        """Reserve the units until the payment deadline, or refuse (and change nothing)."""
        principal, data = purchase.principal, purchase.data
        # From the identity map (`open` loaded and locked it): no query, the same 404 / 403 as a GET.
        deal = await get_deal(self.session, principal=principal, deal_id=data.deal_id)
        if deal.status != "open" or deal.closes_at <= self.now:
            raise Conflict("this deal is no longer open")
        if deal.opens_at > self.now:
            raise Conflict(f"this deal opens at {deal.opens_at.isoformat()}", opens_at=deal.opens_at.isoformat())
        mine = (deal.id, principal.user_id)
        already = self.units.get(mine, 0)
        if already + data.quantity > deal.per_person_limit:
            raise Conflict(
                f"at most {deal.per_person_limit} per person; you already have {already}",
                per_person_limit=deal.per_person_limit,
            )
        point = pickup.choose_point(offered=deal.pickup_point_ids, chosen=data.pickup_point_id)
        if data.quantity > self.left[deal.id]:
            raise Conflict(f"only {self.left[deal.id]} left of this deal", available=self.left[deal.id])
        # The order belongs to the buyer's community among the deal's; a share link credits its sharer.
        community_id = buyer_community(deal, principal=principal, chosen=data.community_id)
        referred_by = await referrer(self.session, deal, ref=data.ref, buyer_id=principal.user_id)
        order = Order(
            deal_id=deal.id,
            community_id=community_id,
            referred_by=referred_by,
            buyer_id=principal.user_id,
            quantity=data.quantity,
            unit_price_fen=deal.price_fen,
            amount_fen=deal.price_fen * data.quantity,
            reserved_until=self.now + self.payment_window,
            pickup_point_id=point,
        )
        self.session.add(order)
        await emit(
            self.session,
            OrderPlaced(
                order_id=order.id,
                deal_id=deal.id,
                buyer_id=order.buyer_id,
                quantity=order.quantity,
                amount_fen=order.amount_fen,
                referred_by=order.referred_by,
            ),
            subject=order.id,
            community_id=order.community_id,
            actor_id=principal.user_id,
        )
        self.left[deal.id] -= data.quantity
        self.units[mine] = already + data.quantity
        return order


async def start_payment(provider: PaymentProvider, *, order_id: str, amount_fen: int) -> None:
    """Ask the provider to collect payment; called after the order is committed (no lock held)."""
    await provider.request_payment(order_id=order_id, amount_fen=amount_fen)


async def refund(provider: PaymentProvider, *, order_id: str, amount_fen: int) -> None:
    """Send the money back through the provider; called after the refund is committed."""
    await provider.refund(order_id=order_id, amount_fen=amount_fen)


async def confirm_payment(
    session: AsyncSession, *, payments: PaymentProvider, order_id: str, provider_payment_id: str, amount_fen: int
) -> Order:
    """Apply a provider's confirmation. Duplicates and late repeats change nothing. A payment that
    arrives after the reservation expired is kept only if the units are still there; one that
    arrives for a cancelled order, or with the wrong amount, is not kept: the order is refunded
    and the money sent back once this commits."""
    order = await lock_order(session, order_id)  # a provider's retry waits, then sees it paid
    if order.status in (PAID, PICKED_UP, REFUNDED):
        return order
    deal = await stock.lock(session, order.deal_id)
    now = utcnow()
    order.provider_payment_id = provider_payment_id
    if amount_fen != order.amount_fen:
        reason = f"paid {amount_fen} fen for an order of {order.amount_fen} fen"
    elif order.status == CANCELLED:
        reason = "paid after the buyer cancelled the order"
    elif order.reserved_until <= now and deal.status == FULFILLED:
        reason = "paid after the reservation expired and the deal was over"
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
                order_id=order.id, deal_id=deal.id, buyer_id=order.buyer_id, amount_fen=amount_fen, reason=reason
            ),
            subject=order.id,
            community_id=order.community_id,
            actor_id=order.buyer_id,
        )
        after_commit(session, functools.partial(refund, payments, order_id=order.id, amount_fen=amount_fen))
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
