from fastapi import APIRouter, status

from services.orders.deals import service
from services.orders.deals.models import ChainEntry, DealCreate, DealPublic, DealTemplate
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(prefix="/deals", tags=["deals"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def publish_deal(body: DealCreate, session: SessionDep, principal: CurrentPrincipal) -> DealPublic:
    deal = await service.publish_deal(session, principal=principal, data=body)
    await session.commit()
    [public] = await service.public(session, [deal])
    return public


@router.get("", summary="Open deals of a community")
async def list_deals(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    limit: Limit = 20,
    offset: Offset = 0,
) -> list[DealPublic]:
    deals = await service.list_open_deals(
        session, principal=principal, community_id=community_id, limit=limit, offset=offset
    )
    return await service.public(session, deals)


@router.get("/{deal_id}")
async def get_deal(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> DealPublic:
    [public] = await service.public(session, [await service.get_deal(session, principal=principal, deal_id=deal_id)])
    return public


@router.get("/{deal_id}/template", summary="A past deal's terms, to publish it again with a new window")
async def template(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> DealTemplate:
    return await service.template_of(session, principal=principal, deal_id=deal_id)


@router.get("/{deal_id}/chain", summary="The deal's 接龙: who took what, in order (neighbours masked)")
async def chain(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> list[ChainEntry]:
    return await service.chain(session, principal=principal, deal_id=deal_id)
