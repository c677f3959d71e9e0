from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from services.orders.deals import chain as chains
from services.orders.deals import publishing, service
from services.orders.deals import share as shares
from services.orders.deals.models import ChainEntry, DealCreate, DealPublic, DealShare, DealTemplate, DealUpdate
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(prefix="/deals", tags=["deals"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Publish a deal, or keep it as a draft (draft: true)")
async def create_deal(body: DealCreate, session: SessionDep, principal: CurrentPrincipal) -> DealPublic:
    deal = await publishing.create_deal(session, principal=principal, data=body)
    await session.commit()
    [public] = await service.public(session, [deal])
    return public


@router.get("", summary="A community's deals on sale (leaders also see scheduled ones), or its drafts (leaders)")
async def list_deals(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    deal_status: Annotated[
        Literal["open", "draft"], Query(alias="status", description="open: on sale or scheduled; draft: unpublished")
    ] = "open",
    limit: Limit = 20,
    offset: Offset = 0,
) -> list[DealPublic]:
    deals = await service.list_deals(
        session, principal=principal, community_id=community_id, status=deal_status, limit=limit, offset=offset
    )
    return await service.public(session, deals)


@router.get("/{deal_id}")
async def get_deal(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> DealPublic:
    [public] = await service.public(session, [await service.get_deal(session, principal=principal, deal_id=deal_id)])
    return public


@router.patch("/{deal_id}", summary="Change a draft's terms (only the fields given)")
async def edit_draft(deal_id: str, body: DealUpdate, session: SessionDep, principal: CurrentPrincipal) -> DealPublic:
    deal = await publishing.edit_draft(session, principal=principal, deal_id=deal_id, data=body)
    await session.commit()
    [public] = await service.public(session, [deal])
    return public


@router.post("/{deal_id}/publish", summary="Publish a draft: its terms are checked as a new deal's")
async def publish_draft(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> DealPublic:
    deal = await publishing.publish_draft(session, principal=principal, deal_id=deal_id)
    await session.commit()
    [public] = await service.public(session, [deal])
    return public


@router.delete("/{deal_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Discard a draft")
async def discard_draft(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    await publishing.discard_draft(session, principal=principal, deal_id=deal_id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{deal_id}/template", summary="A past deal's terms, to publish it again with a new window")
async def template(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> DealTemplate:
    return await service.template_of(session, principal=principal, deal_id=deal_id)


@router.get("/{deal_id}/chain", summary="The deal's 接龙: who took what, in order (neighbours masked)")
async def chain(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> list[ChainEntry]:
    return await chains.chain(session, principal=principal, deal_id=deal_id)


@router.get("/{deal_id}/share", summary="A share link (crediting you) and poster for the deal, with its QR code")
async def share(deal_id: str, request: Request, session: SessionDep, principal: CurrentPrincipal) -> DealShare:
    public_url = request.app.state.settings.public_url
    return await shares.share(session, principal=principal, deal_id=deal_id, public_url=public_url)
