"""Deal rules: a leader opens a deal for a product of their community; members browse open deals."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals import stock
from services.orders.deals.models import ChainEntry, Deal, DealCreate, DealPublic, DealTemplate
from services.orders.orders.models import PAID, PICKED_UP, Order
from services.orders.pickup import service as pickup
from services.orders.products.models import KnownProduct
from shared.access import get_for_member
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import NotFound, Unprocessable
from shared.events.schemas.orders import DealPublished
from shared.models import utcnow


async def publish_deal(session: AsyncSession, *, principal: Principal, data: DealCreate) -> Deal:
    principal.require_role(data.community_id, LEADER)
    product = await session.get(KnownProduct, data.product_id)
    if product is None or product.community_id != data.community_id:
        raise Unprocessable(f"product {data.product_id} is not a product of community {data.community_id}")
    await pickup.check_points(session, community_id=data.community_id, point_ids=data.pickup_point_ids)
    deal = Deal(
        **data.model_dump(exclude={"opens_at", "price_tiers"}),
        price_tiers=[tier.model_dump() for tier in data.price_tiers],
        opens_at=data.opens_at or utcnow(),
        product_name=product.name,
        tags=product.tags,
        created_by=principal.user_id,
    )
    session.add(deal)
    await emit(
        session,
        DealPublished(
            deal_id=deal.id,
            community_id=deal.community_id,
            product_id=deal.product_id,
            product_name=deal.product_name,
            tags=deal.tags,
            price_fen=deal.price_fen,
            stock=deal.stock,
            opens_at=deal.opens_at,
            closes_at=deal.closes_at,
        ),
        subject=deal.id,
        community_id=deal.community_id,
        actor_id=principal.user_id,
    )
    return deal


async def get_deal(session: AsyncSession, *, principal: Principal, deal_id: str) -> Deal:
    deal = await get_for_member(session, Deal, deal_id, principal=principal, label="deal")
    if deal.opens_at > utcnow() and LEADER not in principal.roles_in(deal.community_id):
        raise NotFound(f"deal {deal_id} does not exist")  # not announced yet: only leaders know of it
    return deal


async def chain(session: AsyncSession, *, principal: Principal, deal_id: str) -> list[ChainEntry]:
    """The deal's 接龙 as leaders know it from group chats: who took what, in order. Residents see
    their neighbours as 邻居 n (a buyer keeps their number across their orders), never their ids."""
    deal = await get_deal(session, principal=principal, deal_id=deal_id)
    is_leader = LEADER in principal.roles_in(deal.community_id)
    orders = (
        await session.exec(
            select(Order)
            .where(Order.deal_id == deal_id, col(Order.status).in_([PAID, PICKED_UP]))
            .order_by(col(Order.created_at))
        )
    ).all()
    numbers: dict[str, int] = {}
    entries = []
    for seq, order in enumerate(orders, start=1):
        number = numbers.setdefault(order.buyer_id, len(numbers) + 1)
        mine = order.buyer_id == principal.user_id
        buyer = order.buyer_id if is_leader or mine else f"邻居 {number}"
        entries.append(
            ChainEntry(seq=seq, buyer=buyer, mine=mine, quantity=order.quantity, ordered_at=order.created_at)
        )
    return entries


async def template_of(session: AsyncSession, *, principal: Principal, deal_id: str) -> DealTemplate:
    deal = await get_deal(session, principal=principal, deal_id=deal_id)
    principal.require_role(deal.community_id, LEADER)
    return DealTemplate.model_validate(deal, from_attributes=True)


async def list_open_deals(
    session: AsyncSession, *, principal: Principal, community_id: str, limit: int, offset: int
) -> list[Deal]:
    principal.require_member(community_id)
    now = utcnow()
    query = select(Deal).where(Deal.community_id == community_id, Deal.status == "open", col(Deal.closes_at) > now)
    if LEADER not in principal.roles_in(community_id):
        query = query.where(col(Deal.opens_at) <= now)  # scheduled deals are the leaders' until they open
    query = query.order_by(col(Deal.closes_at)).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def public(session: AsyncSession, deals: list[Deal]) -> list[DealPublic]:
    """Deals as buyers see them, with what is still available right now."""
    now = utcnow()
    ids = [d.id for d in deals]
    held, buyers = await stock.held(session, ids, now=now), await stock.buyers(session, ids)
    return [DealPublic.of(d, held=held.get(d.id, 0), buyers=buyers.get(d.id, 0), now=now) for d in deals]
