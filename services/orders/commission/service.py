"""Leader commission: a per-deal rate (basis points) of each picked-up order, reversed when the
hand-over is undone; a leader reads earnings by period."""

from collections import defaultdict
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.commission.models import DayEarnings, Earnings, LedgerEntry
from services.orders.deals.models import Deal
from services.orders.orders.models import Order
from shared.auth import LEADER, Principal
from shared.errors import Unprocessable


def commission_of(amount_fen: int, rate_bps: int) -> int:
    """Rounded down to the fen: the leader is never paid more than the rate."""
    return amount_fen * rate_bps // 10_000


async def credit(session: AsyncSession, *, order: Order, deal: Deal) -> None:
    amount = commission_of(order.amount_fen, deal.commission_rate_bps)
    if amount:
        session.add(_entry(order, deal, amount, "picked_up"))


async def reverse(
    session: AsyncSession, *, order: Order, deal: Deal, reason: str, amount_fen: int | None = None
) -> None:
    """Take back the commission on `amount_fen` of the order (all of it by default: an undone pickup)."""
    amount = commission_of(order.amount_fen if amount_fen is None else amount_fen, deal.commission_rate_bps)
    if amount:
        session.add(_entry(order, deal, -amount, reason))


def _entry(order: Order, deal: Deal, amount: int, reason: str) -> LedgerEntry:
    return LedgerEntry(
        leader_id=deal.created_by,
        community_id=order.community_id,
        deal_id=deal.id,
        order_id=order.id,
        amount_fen=amount,
        reason=reason,
    )


async def earnings(
    session: AsyncSession, *, principal: Principal, community_id: str, since: datetime, until: datetime
) -> Earnings:
    principal.require_role(community_id, LEADER)
    if since >= until:
        raise Unprocessable("the period ends before it starts")
    entries = (
        await session.exec(
            select(LedgerEntry)
            .where(
                LedgerEntry.leader_id == principal.user_id,
                LedgerEntry.community_id == community_id,
                col(LedgerEntry.created_at) >= since,
                col(LedgerEntry.created_at) < until,
            )
            .order_by(col(LedgerEntry.created_at))
        )
    ).all()
    days: dict[date, int] = defaultdict(int)
    for entry in entries:
        days[entry.created_at.date()] += entry.amount_fen
    return Earnings(
        community_id=community_id,
        since=since,
        until=until,
        total_fen=sum(e.amount_fen for e in entries),
        by_day=[DayEarnings(day=day, amount_fen=amount) for day, amount in sorted(days.items())],
        entries=list(entries),
    )
