from typing import Annotated

from fastapi import APIRouter, Depends, status

from services.livestream.highlights import service
from services.livestream.highlights.models import HighlightCreate, HighlightPublic, Replay
from services.livestream.room.hub import RoomHub, get_rooms
from services.livestream.sessions import service as sessions
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/sessions/{session_id}", tags=["highlights"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.post(
    "/highlights", status_code=status.HTTP_201_CREATED, response_model=HighlightPublic, summary="Mark a moment"
)
async def mark(
    session_id: str, body: HighlightCreate, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    highlight = await service.mark(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.changed(session_id, f"highlight:{highlight.id}")
    return HighlightPublic.model_validate(highlight, from_attributes=True)


@router.get("/highlights", response_model=list[HighlightPublic])
async def list_highlights(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    return await service.list_highlights(session, live.id)


@router.get("/replay", response_model=Replay, summary="After the session: replay, highlights and figures")
async def replay(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.replay(session, principal=principal, session_id=session_id)
