from fastapi import APIRouter, Request, status

from services.catalog.directory import complaints, vetting
from services.catalog.directory.models import (
    ComplaintCreate,
    ComplaintPublic,
    ListingCreate,
    ListingPublic,
    ListingState,
    Resolution,
    TransitionPublic,
    TransitionRequest,
    TrialNote,
)
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(tags=["directory: vetting"])


def review_rules(request: Request) -> vetting.ReviewRules:
    return vetting.ReviewRules.from_settings(request.app.state.settings)


@router.post("/listings", status_code=status.HTTP_201_CREATED, response_model=ListingPublic)
async def apply(body: ListingCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    listing = await vetting.apply(session, principal=principal, data=body)
    await session.commit()
    return listing


@router.get("/listings", response_model=list[ListingPublic], summary="A community's listings, for its leaders")
async def of_community(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    state: ListingState | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> object:
    return await vetting.of_community(
        session, principal=principal, community_id=community_id, state=state, limit=limit, offset=offset
    )


@router.get("/listings/{listing_id}", response_model=ListingPublic)
async def get(listing_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await vetting.get(session, principal=principal, listing_id=listing_id)


@router.post(
    "/listings/{listing_id}/transitions",
    response_model=ListingPublic,
    summary="Move a listing along the vetting workflow, saying why",
)
async def transition(
    listing_id: str, body: TransitionRequest, session: SessionDep, principal: CurrentPrincipal
) -> object:
    listing = await vetting.transition(session, principal=principal, listing_id=listing_id, request=body)
    await session.commit()
    return listing


@router.post("/listings/{listing_id}/trial-note", response_model=ListingPublic, summary="The leader's trial note")
async def trial_note(listing_id: str, body: TrialNote, session: SessionDep, principal: CurrentPrincipal) -> object:
    listing = await vetting.write_trial_note(session, principal=principal, listing_id=listing_id, note=body.note)
    await session.commit()
    return listing


@router.get("/listings/{listing_id}/history", response_model=list[TransitionPublic], summary="Who moved it, and why")
async def history(listing_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await vetting.history(session, principal=principal, listing_id=listing_id)


@router.post(
    "/listings/{listing_id}/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintPublic,
    summary="A resident complains; enough open complaints put the listing under review",
)
async def complain(
    listing_id: str, body: ComplaintCreate, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> object:
    complaint = await complaints.file(
        session, principal=principal, listing_id=listing_id, data=body, rules=review_rules(request)
    )
    await session.commit()
    return complaint


@router.get("/listings/{listing_id}/complaints", response_model=list[ComplaintPublic])
async def list_complaints(listing_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await complaints.of_listing(session, principal=principal, listing_id=listing_id)


@router.post("/complaints/{complaint_id}/resolve", response_model=ComplaintPublic)
async def resolve(complaint_id: str, body: Resolution, session: SessionDep, principal: CurrentPrincipal) -> object:
    complaint = await complaints.resolve(session, principal=principal, complaint_id=complaint_id, note=body.note)
    await session.commit()
    return complaint
