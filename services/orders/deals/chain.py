"""A deal's 接龙 as leaders know it from group chats: who took what, in order."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals.models import ChainEntry
from services.orders.deals.service import get_deal
from services.orders.members import service as members
from services.orders.orders.models import PAID, PICKED_UP, Order
from shared.auth import LEADER, Principal


async def chain(session: AsyncSession, *, principal: Principal, deal_id: str) -> list[ChainEntry]:
    """Leaders of a buyer's community see the buyer's id and name there (群昵称), and so do buyers of
    themselves; other residents see 邻居 n (a buyer keeps their number across their orders): the
    chain shows how the group grows without telling residents who their neighbours are."""
    await get_deal(session, principal=principal, deal_id=deal_id)
    orders = (
        await session.exec(
            select(Order)
            .where(Order.deal_id == deal_id, col(Order.status).in_([PAID, PICKED_UP]))
            .order_by(col(Order.created_at))
        )
    ).all()
    names = await members.names(session, {(o.community_id, o.buyer_id) for o in orders})
    numbers: dict[str, int] = {}
    entries = []
    for seq, order in enumerate(orders, start=1):
        number = numbers.setdefault(order.buyer_id, len(numbers) + 1)
        mine = order.buyer_id == principal.user_id
        if mine or LEADER in principal.roles_in(order.community_id):
            buyer, name = order.buyer_id, names[order.community_id, order.buyer_id]
        else:
            buyer = name = f"邻居 {number}"
        entries.append(
            ChainEntry(seq=seq, buyer=buyer, name=name, mine=mine, quantity=order.quantity, ordered_at=order.created_at)
        )
    return entries
