"""Stock of a deal: available = stock − sold − units held by unexpired reservations.

A placed order holds its units until `reserved_until`; an order not paid by then simply stops
counting, so expired reservations free their units at once, without a sweeper. Paying moves the
units from held to sold. Every change of stock runs under the deal's row lock (SELECT … FOR
UPDATE on PostgreSQL; on SQLite a write transaction already excludes other writers), which is
held only for the few statements of that transaction — never across a call to a provider.
"""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals.models import Deal
from services.orders.orders.models import PAID, PENDING_PAYMENT, PICKED_UP, Order
from shared.errors import NotFound


async def lock(session: AsyncSession, deal_id: str) -> Deal:
    deal = (await session.exec(select(Deal).where(Deal.id == deal_id).with_for_update())).first()
    if deal is None:
        raise NotFound(f"deal {deal_id} does not exist")
    return deal


async def lock_many(session: AsyncSession, deal_ids: Collection[str]) -> dict[str, Deal]:
    """The deals that exist among `deal_ids`, under their row locks, taken in id order so that two
    transactions locking several deals never deadlock."""
    query = select(Deal).where(col(Deal.id).in_(sorted(deal_ids))).order_by(col(Deal.id)).with_for_update()
    return {deal.id: deal for deal in (await session.exec(query)).all()}


async def held(session: AsyncSession, deal_ids: Sequence[str], *, now: datetime) -> dict[str, int]:
    """Units held by unexpired reservations, per deal."""
    if not deal_ids:
        return {}
    rows = await session.exec(
        select(Order.deal_id, func.sum(Order.quantity))
        .where(col(Order.deal_id).in_(deal_ids), Order.status == PENDING_PAYMENT, col(Order.reserved_until) > now)
        .group_by(col(Order.deal_id))
    )
    return {deal_id: int(units) for deal_id, units in rows.all()}


async def available(session: AsyncSession, deal: Deal, *, now: datetime) -> int:
    return deal.stock - deal.sold - (await held(session, [deal.id], now=now)).get(deal.id, 0)


async def units_of_buyers(
    session: AsyncSession, *, deal_ids: Collection[str], buyer_ids: Collection[str], now: datetime
) -> dict[tuple[str, str], int]:
    """What counts against the per-person limit, per (deal, buyer): paid units and unexpired reservations."""
    rows = await session.exec(
        select(Order.deal_id, Order.buyer_id, func.sum(Order.quantity))
        .where(
            col(Order.deal_id).in_(deal_ids),
            col(Order.buyer_id).in_(buyer_ids),
            (col(Order.status) == PAID) | ((col(Order.status) == PENDING_PAYMENT) & (col(Order.reserved_until) > now)),
        )
        .group_by(col(Order.deal_id), col(Order.buyer_id))
    )
    return {(deal_id, buyer_id): int(units) for deal_id, buyer_id, units in rows.all()}


async def buyers(session: AsyncSession, deal_ids: Sequence[str]) -> dict[str, int]:
    """Distinct neighbours who have paid, per deal (what tiered prices and 成团 count)."""
    if not deal_ids:
        return {}
    rows = await session.exec(
        select(Order.deal_id, func.count(func.distinct(Order.buyer_id)))
        .where(col(Order.deal_id).in_(deal_ids), col(Order.status).in_([PAID, PICKED_UP]))
        .group_by(col(Order.deal_id))
    )
    return {deal_id: int(n) for deal_id, n in rows.all()}
