"""What livestream knows of deals and orders, learnt from orders' events."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.purchases.models import KnownDeal, KnownOrder, KnownProduct
from shared.events.schemas.orders import DealPublished, OrderPaid


async def remember_product(
    session: AsyncSession, *, product_id: str, community_id: str, name: str, images: list[str]
) -> None:
    await session.merge(KnownProduct(id=product_id, community_id=community_id, name=name, images=images))


async def remember_deal(session: AsyncSession, data: DealPublished) -> None:
    known = await session.get(KnownDeal, data.deal_id)
    deal = known or KnownDeal(
        id=data.deal_id,
        product_id=data.product_id,
        product_name=data.product_name,
        price_fen=0,
        stock=0,
        closes_at=data.closes_at,
    )
    deal.community_ids = data.community_ids or [data.community_id]
    deal.product_id, deal.product_name = data.product_id, data.product_name
    deal.price_fen, deal.stock = data.price_fen, data.stock
    deal.opens_at, deal.closes_at = data.opens_at, data.closes_at
    deal.per_person_limit = data.per_person_limit
    session.add(deal)


async def mark_deal(
    session: AsyncSession, deal_id: str, *, sold_out: bool = False, closed: bool = False
) -> KnownDeal | None:
    deal = await session.get(KnownDeal, deal_id)
    if deal is not None:
        deal.sold_out = deal.sold_out or sold_out
        deal.closed = deal.closed or closed
        session.add(deal)
    return deal


async def remember_paid(session: AsyncSession, data: OrderPaid, *, community_id: str | None, at: datetime) -> None:
    if await session.get(KnownOrder, data.order_id) is not None:
        return
    session.add(
        KnownOrder(
            id=data.order_id,
            deal_id=data.deal_id,
            buyer_id=data.buyer_id,
            community_id=community_id,
            product_id=data.product_id,
            product_name=data.product_name,
            quantity=data.quantity,
            amount_fen=data.amount_fen,
            paid_at=at,
        )
    )
    deal = await session.get(KnownDeal, data.deal_id)
    if deal is not None:
        deal.sold += data.quantity
        session.add(deal)


async def remember_refund(session: AsyncSession, *, order_id: str, amount_fen: int) -> None:
    """A refund in full gives the units back to the card's count; a partial one (a lower tier reached) does not."""
    order = await session.get(KnownOrder, order_id)
    if order is None or order.refunded or amount_fen < order.amount_fen:
        return
    order.refunded = True
    session.add(order)
    deal = await session.get(KnownDeal, order.deal_id)
    if deal is not None:
        deal.sold = max(0, deal.sold - order.quantity)
        session.add(deal)


async def remember_pickup(session: AsyncSession, *, order_id: str, at: datetime | None) -> None:
    order = await session.get(KnownOrder, order_id)
    if order is not None:
        order.picked_up_at = at
        session.add(order)


async def bought(session: AsyncSession, *, buyer_id: str, product_id: str) -> bool:
    """The person paid for this product (and was not refunded in full): they may answer its questions."""
    query = select(KnownOrder.id).where(
        KnownOrder.buyer_id == buyer_id, KnownOrder.product_id == product_id, col(KnownOrder.refunded).is_(False)
    )
    return (await session.exec(query)).first() is not None


async def orders_between(session: AsyncSession, *, deal_ids: list[str], start: datetime, end: datetime) -> int:
    """Orders paid for these deals within the window (a session's orders)."""
    if not deal_ids:
        return 0
    query = select(func.count()).where(
        col(KnownOrder.deal_id).in_(deal_ids), col(KnownOrder.paid_at) >= start, col(KnownOrder.paid_at) <= end
    )
    return int((await session.exec(query)).one())
