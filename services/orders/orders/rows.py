from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.orders.models import Order
from shared.errors import NotFound


async def lock_order(session: AsyncSession, order_id: str) -> Order:
    """The order read afresh under its row lock. Every change of an order's status goes through here,
    so two concurrent changes (a provider's retry, two counters) run one after the other and the
    second sees the first (on PostgreSQL a plain read would see the old status)."""
    query = select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    order = (await session.exec(query)).first()
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    return order
