"""The deal clock: announces the moments a deal's window passes. When a deal opens,
`orders.deal.opened`; when it closes, `orders.deal.closed`. At close a deal that missed its minimum
group size (成团) refunds every paid order, and a deal whose group reached a lower price tier
refunds each buyer the difference; both tell the buyers why (`orders.order.refunded`).
Once a closed deal has nothing outstanding — no order left to hand over, no reservation that may
still be paid, no hand-over that may still be undone — it is fulfilled (`orders.deal.fulfilled`).
Each deal is settled in its own transaction under its row lock, and only once (`announced`, `status`)."""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.commission import service as commission
from services.orders.deals import stock
from services.orders.deals.models import FULFILLED, OPEN, Deal, price_for
from services.orders.orders.models import PAID, PENDING_PAYMENT, PICKED_UP, REFUNDED, Order
from services.orders.payments.port import PaymentProvider
from shared.bus import emit
from shared.db import Database
from shared.events.schemas.orders import DealClosed, DealFulfilled, DealOpened, OrderRefunded

MISSED_MINIMUM = "the group did not reach its minimum size"
LOWER_PRICE = "the group reached a lower price"


async def tick(db: Database, payments: PaymentProvider, *, now: datetime, undo_window: timedelta) -> None:
    async with db.reader() as reader:
        due = (
            await reader.exec(
                select(Deal.id).where(
                    Deal.status == OPEN,  # drafts have no window yet
                    col(Deal.announced) != "closed",
                    (col(Deal.closes_at) <= now) | ((col(Deal.announced) == "") & (col(Deal.opens_at) <= now)),
                )
            )
        ).all()
    for deal_id in due:
        async with db.session() as session:
            refunds = await _settle(session, deal_id, now=now)
            await session.commit()
        for order_id, amount in refunds:  # after commit: no lock held across the provider
            await payments.refund(order_id=order_id, amount_fen=amount)
    async with db.reader() as reader:
        done = (await reader.exec(select(Deal.id).where(_done(now, undo_window)))).all()
    for deal_id in done:
        async with db.session() as session:
            await _fulfil(session, deal_id, now=now, undo_window=undo_window)
            await session.commit()


def _done(now: datetime, undo_window: timedelta) -> ColumnElement[bool]:
    """A closed deal with nothing outstanding: no paid order to hand over, no reservation that may still
    be paid, no hand-over that may still be undone."""
    outstanding = (
        select(Order.id)
        .where(
            Order.deal_id == Deal.id,
            (col(Order.status) == PAID)
            | ((col(Order.status) == PENDING_PAYMENT) & (col(Order.reserved_until) > now))
            | ((col(Order.status) == PICKED_UP) & (col(Order.picked_up_at) > now - undo_window)),
        )
        .exists()
    )
    return (col(Deal.status) == OPEN) & (col(Deal.announced) == "closed") & ~outstanding


async def _fulfil(session: AsyncSession, deal_id: str, *, now: datetime, undo_window: timedelta) -> None:
    deal = await stock.lock(session, deal_id)
    if (await session.exec(select(Deal.id).where(Deal.id == deal_id, _done(now, undo_window)))).first() is None:
        return  # another instance fulfilled it, or a late payment arrived since the read
    counts = dict(
        (
            await session.exec(
                select(Order.status, func.count())
                .where(Order.deal_id == deal_id, col(Order.status).in_([PICKED_UP, REFUNDED]))
                .group_by(col(Order.status))
            )
        ).all()
    )
    deal.status = FULFILLED
    session.add(deal)
    await emit(
        session,
        DealFulfilled(deal_id=deal.id, picked_up=counts.get(PICKED_UP, 0), refunded=counts.get(REFUNDED, 0)),
        subject=deal.id,
        community_id=deal.community_id,
    )


async def _settle(session: AsyncSession, deal_id: str, *, now: datetime) -> list[tuple[str, int]]:
    """The refunds (order id, fen) to send once this commits."""
    deal = await stock.lock(session, deal_id)
    if deal.announced == "" and deal.opens_at <= now:
        deal.announced = "opened"
        await emit(session, DealOpened(deal_id=deal.id), subject=deal.id, community_id=deal.community_id)
    if deal.announced == "closed" or deal.closes_at > now:
        session.add(deal)
        return []
    paid = (
        await session.exec(select(Order).where(Order.deal_id == deal.id, col(Order.status).in_([PAID, PICKED_UP])))
    ).all()
    buyers = len({o.buyer_id for o in paid})
    missed = deal.min_group_size is not None and buyers < deal.min_group_size
    deal.announced = "closed"
    session.add(deal)
    refunds: list[tuple[str, int]] = []
    price = price_for(deal, buyers)
    for order in paid:
        if missed:
            order.status, amount, reason = REFUNDED, order.amount_fen, MISSED_MINIMUM
        elif order.unit_price_fen > price:
            amount, reason = (order.unit_price_fen - price) * order.quantity, LOWER_PRICE
            order.unit_price_fen, order.amount_fen = price, price * order.quantity
            if order.status == PICKED_UP:  # its commission was counted on the old price
                await commission.reverse(session, order=order, deal=deal, reason="group_price", amount_fen=amount)
        else:
            continue
        session.add(order)
        refunds.append((order.id, amount))
        await emit(
            session,
            OrderRefunded(
                order_id=order.id, deal_id=deal.id, buyer_id=order.buyer_id, amount_fen=amount, reason=reason
            ),
            subject=order.id,
            community_id=order.community_id,
        )
    if missed:
        deal.sold = 0
    await emit(
        session,
        DealClosed(deal_id=deal.id, outcome="missed_minimum" if missed else "closed", buyers=buyers),
        subject=deal.id,
        community_id=deal.community_id,
    )
    return refunds
