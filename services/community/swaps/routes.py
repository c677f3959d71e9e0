from typing import Annotated

from fastapi import APIRouter, Query, status

from services.community.moderation import Moderation, ReportCreate
from services.community.swaps import service
from services.community.swaps.models import (
    OfferCreate,
    OfferPublic,
    SwapCreate,
    SwapPublic,
    SwapStatus,
)
from shared.auth import CurrentPrincipal
from shared.pagination import Limit, Offset
from shared.service import ReaderDep, SessionDep

router = APIRouter(tags=["item swaps"])
SWAP = "/swaps/{swap_id}"


@router.post(
    "/communities/{community_id}/swaps",
    status_code=status.HTTP_201_CREATED,
    response_model=SwapPublic,
    summary="Offer an item to neighbours (闲置交换): free, to swap, or for a token price",
)
async def post_swap(community_id: str, body: SwapCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    swap = await service.post(session, principal=principal, community_id=community_id, data=body)
    await session.commit()
    return swap


@router.get(
    "/communities/{community_id}/swaps",
    response_model=list[SwapPublic],
    summary="A community's item posts, newest first (members; hidden ones for their owners and moderators)",
)
async def list_swaps(
    community_id: str,
    session: ReaderDep,
    principal: CurrentPrincipal,
    status: Annotated[SwapStatus, Query(description="open, promised, closed or removed")] = "open",
    limit: Limit = 20,
    offset: Offset = 0,
) -> object:
    return await service.list_swaps(
        session, principal=principal, community_id=community_id, status=status, limit=limit, offset=offset
    )


@router.get(SWAP, response_model=SwapPublic, summary="An item post (members)")
async def get_swap(swap_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.get_swap(session, principal=principal, swap_id=swap_id)


@router.post(
    f"{SWAP}/offers",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferPublic,
    summary="Make an offer on a neighbour's item (one open offer each)",
)
async def make_offer(swap_id: str, body: OfferCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    offer = await service.make_offer(session, principal=principal, swap_id=swap_id, data=body)
    await session.commit()
    return offer


@router.get(f"{SWAP}/offers", response_model=list[OfferPublic], summary="Offers: all for the owner, your own else")
async def list_offers(swap_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.list_offers(session, principal=principal, swap_id=swap_id)


@router.post(
    f"{SWAP}/offers/{{offer_id}}/accept",
    response_model=SwapPublic,
    summary="Accept an offer (the owner); every other open offer is declined",
)
async def accept_offer(swap_id: str, offer_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    swap = await service.accept(session, principal=principal, swap_id=swap_id, offer_id=offer_id)
    await session.commit()
    return swap


@router.post(f"{SWAP}/offers/{{offer_id}}/decline", response_model=OfferPublic, summary="Decline an offer (the owner)")
async def decline_offer(swap_id: str, offer_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    offer = await service.decline(session, principal=principal, swap_id=swap_id, offer_id=offer_id)
    await session.commit()
    return offer


@router.post(
    f"{SWAP}/handover",
    response_model=SwapPublic,
    summary="Confirm the item changed hands (owner and taker each); the post closes when both have",
)
async def confirm_handover(swap_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    swap = await service.confirm_handover(session, principal=principal, swap_id=swap_id)
    await session.commit()
    return swap


@router.post(
    f"{SWAP}/reports",
    response_model=SwapPublic,
    summary="Report a post (members, once); it is hidden until a moderator decides",
)
async def report_swap(swap_id: str, body: ReportCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    swap = await service.report(session, principal=principal, swap_id=swap_id, data=body)
    await session.commit()
    return swap


@router.post(
    f"{SWAP}/moderation", response_model=SwapPublic, summary="Restore or remove a post (moderators and leaders)"
)
async def moderate_swap(swap_id: str, body: Moderation, session: SessionDep, principal: CurrentPrincipal) -> object:
    swap = await service.moderate(session, principal=principal, swap_id=swap_id, data=body)
    await session.commit()
    return swap
