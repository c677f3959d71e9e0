"""Stock of a deal: available = stock − sold − units held by unexpired reservations.

A placed order holds its units until `reserved_until`; an order not paid by then simply stops
counting, so expired reservations free their units at once, without a sweeper. Paying moves the
units from held to sold. Every change of stock runs under the deal's row lock (SELECT … FOR
UPDATE on PostgreSQL; on SQLite a write transaction already excludes other writers), which is
held only for the few statements of that transaction — never across a call to a provider.
"""

from collections.abc import Sequence
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


async def units_of_buyer(session: AsyncSession, *, deal_id: str, buyer_id: str, now: datetime) -> int:
    """What counts against the per-person limit: paid units and unexpired reservations."""
    total = await session.exec(
        select(func.coalesce(func.sum(Order.quantity), 0)).where(
            Order.deal_id == deal_id,
            Order.buyer_id == buyer_id,
            (col(Order.status) == PAID) | ((col(Order.status) == PENDING_PAYMENT) & (col(Order.reserved_until) > now)),
        )
    )
    return int(total.one())


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
