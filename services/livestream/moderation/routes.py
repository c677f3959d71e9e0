from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from services.livestream.moderation import service
from services.livestream.moderation.models import MuteCreate, MutePublic, RemovalCreate
from services.livestream.room.hub import RoomHub, get_rooms
from services.livestream.sessions import service as sessions
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.service import SessionDep

router = APIRouter(prefix="/sessions/{session_id}", tags=["moderation"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.post(
    "/mutes", status_code=status.HTTP_201_CREATED, response_model=MutePublic, summary="Mute a viewer (host, moderators)"
)
async def mute(
    session_id: str, body: MuteCreate, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    row = await service.mute(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.tell(session_id, {"op": "mute", "user_id": row.user_id, "until": row.until.isoformat()})
    return MutePublic(session_id=row.session_id, user_id=row.user_id, until=row.until)


@router.delete("/mutes/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unmute(
    session_id: str, user_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> Response:
    await service.unmute(session, principal=principal, session_id=session_id, user_id=user_id)
    await session.commit()
    await rooms.tell(session_id, {"op": "mute", "user_id": user_id, "until": None})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/removals", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a viewer for good (host, moderators)")
async def remove(
    session_id: str, body: RemovalCreate, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> Response:
    row = await service.remove(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.tell(session_id, {"op": "remove", "user_id": row.user_id})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a chat message")
async def delete_message(
    session_id: str, message_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> Response:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    reply = await rooms.call(live.id, {"op": "delete_message", "id": message_id})
    if "error" in reply:
        raise NotFound(f"message {message_id} is not among the room's recent messages")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
