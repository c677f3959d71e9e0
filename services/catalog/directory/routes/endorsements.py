from fastapi import APIRouter, status

from services.catalog.directory import endorsements
from services.catalog.directory.models import EndorsementCreate, EndorsementPublic
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import SessionDep

router = APIRouter(prefix="/endorsements", tags=["directory: endorsements"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EndorsementPublic)
async def endorse(body: EndorsementCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    endorsement = await endorsements.endorse(session, principal=principal, data=body)
    await session.commit()
    return endorsement


@router.get("", response_model=list[EndorsementPublic], summary="Endorsements in force in a community")
async def of_community(session: SessionDep, principal: CurrentPrincipal, community_id: EntityId) -> object:
    return await endorsements.of_community(session, principal=principal, community_id=community_id)


@router.post("/{endorsement_id}/withdraw", response_model=EndorsementPublic)
async def withdraw(endorsement_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    endorsement = await endorsements.withdraw(session, principal=principal, endorsement_id=endorsement_id)
    await session.commit()
    return endorsement
