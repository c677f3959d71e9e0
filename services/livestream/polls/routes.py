from typing import Annotated

from fastapi import APIRouter, Depends, status

from services.livestream.polls import service
from services.livestream.polls.models import PollCreate, PollPublic
from services.livestream.room.hub import RoomHub, get_rooms
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/sessions/{session_id}/polls", tags=["polls"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=PollPublic, summary="Create a poll (host, moderators)"
)
async def create(
    session_id: str, body: PollCreate, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    poll = await service.create(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.changed(session_id, f"poll:{poll.id}")
    return await service.render_poll(session, poll)


@router.get("", response_model=list[PollPublic])
async def list_polls(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.list_polls(session, principal=principal, session_id=session_id)


@router.post("/{poll_id}/open", response_model=PollPublic)
async def open_poll(
    session_id: str, poll_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    poll = await service.open_poll(session, principal=principal, session_id=session_id, poll_id=poll_id)
    await session.commit()
    await rooms.changed(session_id, f"poll:{poll.id}")
    return await service.render_poll(session, poll)


@router.post("/{poll_id}/close", response_model=PollPublic, summary="Close a poll: its counts are announced")
async def close_poll(
    session_id: str, poll_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    poll = await service.close_poll(session, principal=principal, session_id=session_id, poll_id=poll_id)
    await session.commit()
    await rooms.changed(session_id, f"poll:{poll.id}")
    return await service.render_poll(session, poll)
