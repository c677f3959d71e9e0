"""Publishing deals: a leader publishes a deal at once or keeps it as a draft, edits the draft, then
publishes or discards it. Every deal passes the same checks (its terms, its product, its pickup
points, the leader leads every community it serves) — a draft all but its sales window, which may
still be an old one (a template's) until it is published."""

from typing import Any

from pydantic import ValidationError
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals.models import DRAFT, OPEN, Deal, DealCommunity, DealCreate, DealTerms, DealUpdate
from services.orders.deals.service import get_deal
from services.orders.pickup import service as pickup
from services.orders.products.models import KnownProduct
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Unprocessable
from shared.events.schemas.orders import DealPublished
from shared.models import utcnow


async def create_deal(session: AsyncSession, *, principal: Principal, data: DealCreate) -> Deal:
    product = await _check(session, principal=principal, terms=data)
    deal = Deal(**_columns(data, product), status=DRAFT if data.draft else OPEN, created_by=principal.user_id)
    session.add(deal)
    await _serve(session, deal.id, deal.community_ids)
    if not data.draft:
        await _announce(session, deal, principal=principal)
    return deal


async def edit_draft(session: AsyncSession, *, principal: Principal, deal_id: str, data: DealUpdate) -> Deal:
    deal = await _draft(session, principal=principal, deal_id=deal_id)
    terms = _validated({**_terms_of(deal), **data.model_dump(exclude_unset=True)}, draft=True)
    product = await _check(session, principal=principal, terms=terms)
    deal.sqlmodel_update(_columns(terms, product))
    session.add(deal)
    await _serve(session, deal.id, deal.community_ids)
    return deal


async def publish_draft(session: AsyncSession, *, principal: Principal, deal_id: str) -> Deal:
    deal = await _draft(session, principal=principal, deal_id=deal_id)
    terms = _validated(_terms_of(deal), draft=False)
    product = await _check(session, principal=principal, terms=terms)
    deal.sqlmodel_update(_columns(terms, product))
    deal.status, deal.opens_at = OPEN, max(deal.opens_at, utcnow())  # a time already past means at once
    session.add(deal)
    await _announce(session, deal, principal=principal)
    return deal


async def discard_draft(session: AsyncSession, *, principal: Principal, deal_id: str) -> None:
    deal = await _draft(session, principal=principal, deal_id=deal_id)
    await _serve(session, deal.id, [])
    await session.delete(deal)


async def _draft(session: AsyncSession, *, principal: Principal, deal_id: str) -> Deal:
    """The draft, read afresh under its row lock, for a leader of every community it serves."""
    deal = await get_deal(session, principal=principal, deal_id=deal_id)  # 404 / 403 before any lock
    await session.refresh(deal, with_for_update=True)
    if deal.status != DRAFT:
        raise Conflict(f"deal {deal_id} is published; only a draft can be edited, published or discarded")
    for community_id in deal.community_ids:
        principal.require_role(community_id, LEADER)
    return deal


def _terms_of(deal: Deal) -> dict[str, Any]:
    return {name: getattr(deal, name) for name in DealTerms.model_fields}


def _validated(terms: dict[str, Any], *, draft: bool) -> DealCreate:
    """The terms checked as DealCreate checks a request body, as a clear 422 with the fields at fault."""
    try:
        return DealCreate.model_validate({**terms, "draft": draft})
    except ValidationError as exc:
        errors = [
            {"location": [str(p) for p in e["loc"]], "message": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        problem = f"{'.'.join(errors[0]['location']) or 'terms'}: {errors[0]['message']}"
        raise Unprocessable(
            f"{'the new terms are' if draft else 'the draft is'} not valid: {problem}", errors=errors
        ) from None


async def _check(session: AsyncSession, *, principal: Principal, terms: DealTerms) -> KnownProduct:
    """What a body alone cannot tell: the caller leads every community served, the product is one of the
    home community's, the pickup points belong to communities served."""
    for community_id in terms.community_ids:
        principal.require_role(community_id, LEADER)
    product = await session.get(KnownProduct, terms.product_id)
    if product is None or product.community_id != terms.community_id:
        raise Unprocessable(f"product {terms.product_id} is not a product of community {terms.community_id}")
    await pickup.check_points(session, community_ids=terms.community_ids, point_ids=terms.pickup_point_ids)
    return product


def _columns(terms: DealCreate, product: KnownProduct) -> dict[str, Any]:
    return {
        **terms.model_dump(exclude={"draft", "opens_at"}),
        "opens_at": terms.opens_at or utcnow(),
        "product_name": product.name,
        "tags": product.tags,
    }


async def _serve(session: AsyncSession, deal_id: str, community_ids: list[str]) -> None:
    """Index the communities a deal serves (replacing what a draft served before)."""
    await session.exec(delete(DealCommunity).where(col(DealCommunity.deal_id) == deal_id))
    session.add_all(DealCommunity(deal_id=deal_id, community_id=c) for c in community_ids)


async def _announce(session: AsyncSession, deal: Deal, *, principal: Principal) -> None:
    await emit(
        session,
        DealPublished(
            deal_id=deal.id,
            community_id=deal.community_id,
            community_ids=deal.community_ids,
            product_id=deal.product_id,
            product_name=deal.product_name,
            tags=deal.tags,
            price_fen=deal.price_fen,
            stock=deal.stock,
            opens_at=deal.opens_at,
            closes_at=deal.closes_at,
            per_person_limit=deal.per_person_limit,
        ),
        subject=deal.id,
        community_id=deal.community_id,
        actor_id=principal.user_id,
    )
