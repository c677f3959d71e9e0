from fastapi import APIRouter, status

from services.livestream.sessions import service
from services.livestream.sessions.models import LiveSessionCreate, LiveSessionPublic
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LiveSessionPublic)
async def schedule_session(body: LiveSessionCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    live = await service.schedule_session(session, principal=principal, data=body)
    await session.commit()
    return live


@router.get("", response_model=list[LiveSessionPublic], summary="Upcoming sessions of a community")
async def list_upcoming(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    limit: Limit = 20,
    offset: Offset = 0,
) -> object:
    return await service.list_upcoming(
        session, principal=principal, community_id=community_id, limit=limit, offset=offset
    )


@router.get("/{session_id}", response_model=LiveSessionPublic)
async def get_session(session_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await service.get_session(session, principal=principal, session_id=session_id)
