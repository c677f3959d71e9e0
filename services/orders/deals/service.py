"""Who sees a deal, and deals as members see them: a deal is its communities' (all it serves);
drafts and deals not yet open are their leaders' only."""

from typing import Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals import stock
from services.orders.deals.models import DRAFT, OPEN, Deal, DealCommunity, DealPublic, DealTemplate
from services.orders.members import service as members
from shared.auth import LEADER, Principal
from shared.errors import Forbidden, NotFound
from shared.models import utcnow


def leads(principal: Principal, deal: Deal) -> bool:
    """A leader of any community the deal serves."""
    return any(LEADER in principal.roles_in(c) for c in deal.community_ids)


async def get_deal(session: AsyncSession, *, principal: Principal, deal_id: str) -> Deal:
    deal = await session.get(Deal, deal_id)
    if deal is None:
        raise NotFound(f"deal {deal_id} does not exist")
    if not any(principal.roles_in(c) for c in deal.community_ids):
        principal.require_member(deal.community_id)  # 403 for strangers, passes for operators and services
    if (deal.status == DRAFT or deal.opens_at > utcnow()) and not leads(principal, deal):
        raise NotFound(f"deal {deal_id} does not exist")  # not announced yet: only leaders know of it
    return deal


def buyer_community(deal: Deal, *, principal: Principal, chosen: str | None) -> str:
    """The community an order belongs to: the buyer's among the deal's (the one they chose, if several)."""
    if chosen is not None:
        if chosen not in deal.community_ids:
            raise Forbidden(f"this deal is not offered in community {chosen}", community_ids=deal.community_ids)
        principal.require_member(chosen)
        return chosen
    return next((c for c in deal.community_ids if principal.roles_in(c)), deal.community_id)


async def referrer(session: AsyncSession, deal: Deal, *, ref: str | None, buyer_id: str) -> str | None:
    """Whose share link brought the buyer. A ref that is not a member of the deal's communities (as
    orders knows them), or the buyer themself, is ignored: a stale or edited link never blocks a purchase."""
    if ref is None or ref == buyer_id:
        return None
    return ref if await members.is_member(session, user_id=ref, community_ids=deal.community_ids) else None


async def template_of(session: AsyncSession, *, principal: Principal, deal_id: str) -> DealTemplate:
    deal = await get_deal(session, principal=principal, deal_id=deal_id)
    principal.require_role(deal.community_id, LEADER)
    return DealTemplate.model_validate(deal, from_attributes=True)


async def list_deals(
    session: AsyncSession,
    *,
    principal: Principal,
    community_id: str,
    status: Literal["open", "draft"],
    limit: int,
    offset: int,
) -> list[Deal]:
    """Published deals still on sale in a community (leaders also see those not open yet), or its drafts."""
    principal.require_member(community_id)
    query = select(Deal).join(DealCommunity).where(DealCommunity.community_id == community_id)
    if status == DRAFT:
        principal.require_role(community_id, LEADER)
        query = query.where(Deal.status == DRAFT).order_by(col(Deal.created_at).desc())
    else:
        now = utcnow()
        query = query.where(Deal.status == OPEN, col(Deal.closes_at) > now).order_by(col(Deal.closes_at))
        if LEADER not in principal.roles_in(community_id):
            query = query.where(col(Deal.opens_at) <= now)  # scheduled deals are the leaders' until they open
    return list((await session.exec(query.offset(offset).limit(limit))).all())


async def public(session: AsyncSession, deals: list[Deal]) -> list[DealPublic]:
    """Deals as buyers see them, with what is still available right now."""
    now = utcnow()
    ids = [d.id for d in deals]
    held, buyers = await stock.held(session, ids, now=now), await stock.buyers(session, ids)
    return [DealPublic.of(d, held=held.get(d.id, 0), buyers=buyers.get(d.id, 0), now=now) for d in deals]
