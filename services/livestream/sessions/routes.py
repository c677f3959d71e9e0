from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from services.livestream.highlights import service as replays
from services.livestream.room.hub import RoomHub, get_rooms
from services.livestream.sessions import service
from services.livestream.sessions.models import (
    LiveSessionCreate,
    LiveSessionPublic,
    LiveSessionUpdate,
    PinnedMessageSet,
    ReminderStatus,
    ReplayUrl,
    RoomSettings,
)
from shared.auth import CurrentPrincipal
from shared.errors import NotFound, Unprocessable
from shared.fields import EntityId
from shared.pagination import Limit, Offset
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/sessions", tags=["sessions"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LiveSessionPublic)
async def schedule_session(body: LiveSessionCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    live = await service.schedule_session(session, principal=principal, data=body)
    await session.commit()
    return await service.public(session, live, principal=principal)


@router.get("", response_model=list[LiveSessionPublic], summary="Sessions of a community not over yet")
async def list_upcoming(
    session: ReaderDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    limit: Limit = 20,
    offset: Offset = 0,
) -> object:
    rows = await service.list_upcoming(
        session, principal=principal, community_id=community_id, limit=limit, offset=offset
    )
    return [await service.public(session, live, principal=principal) for live in rows]


@router.get("/{session_id}", response_model=LiveSessionPublic)
async def get_session(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    live = await service.get_for_viewer(session, principal=principal, session_id=session_id)
    return await service.public(session, live, principal=principal)


@router.patch("/{session_id}", response_model=LiveSessionPublic, summary="Change a session before it goes live (host)")
async def update_session(
    session_id: str, body: LiveSessionUpdate, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    live = await service.update_session(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.changed(live.id, "session")
    return await service.public(session, live, principal=principal)


@router.post("/{session_id}/start", response_model=LiveSessionPublic, summary="Go live (host)")
async def start(session_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms) -> object:
    live = await service.start(session, principal=principal, session_id=session_id)
    await session.commit()
    await rooms.changed(live.id, "session")
    return await service.public(session, live, principal=principal)


@router.post("/{session_id}/end", response_model=LiveSessionPublic, summary="End the session (host); the room closes")
async def end(session_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms) -> object:
    live = await replays.end_session(session, principal=principal, session_id=session_id)
    await session.commit()
    await rooms.tell(live.id, {"op": "end"})
    return await service.public(session, live, principal=principal)


@router.post("/{session_id}/replay", response_model=LiveSessionPublic, summary="Make the replay available (host)")
async def set_replay(session_id: str, body: ReplayUrl, session: SessionDep, principal: CurrentPrincipal) -> object:
    live = await service.set_replay(session, principal=principal, session_id=session_id, replay_url=body.replay_url)
    await session.commit()
    return await service.public(session, live, principal=principal)


@router.put("/{session_id}/reminder", response_model=ReminderStatus, summary="Remind me before it starts")
async def subscribe(session_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    reminders = await service.subscribe(session, principal=principal, session_id=session_id)
    await session.commit()
    return reminders


@router.delete("/{session_id}/reminder", response_model=ReminderStatus)
async def unsubscribe(session_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    reminders = await service.unsubscribe(session, principal=principal, session_id=session_id)
    await session.commit()
    return reminders


@router.get("/{session_id}/reminder", response_model=ReminderStatus, summary="How many asked to be reminded")
async def reminder_status(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.reminder_status(session, principal=principal, session_id=session_id)


@router.patch("/{session_id}/room", response_model=RoomSettings, summary="Slow mode, keyword filter, lead keywords")
async def update_room(
    session_id: str, body: RoomSettings, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    live = await service.update_room(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.changed(live.id, "room")
    return RoomSettings(
        slow_mode_seconds=live.slow_mode_seconds, blocked_words=live.blocked_words, lead_keywords=live.lead_keywords
    )


@router.put("/{session_id}/pinned-message", summary="Pin a chat message or a notice (host, moderators)")
async def pin_message(
    session_id: str, body: PinnedMessageSet, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> dict[str, object]:
    live = await service.get_for_staff(session, principal=principal, session_id=session_id)
    if (body.message_id is None) == (body.text is None):
        raise Unprocessable("pin either a message_id or a text")
    if body.message_id is not None:
        found = await rooms.call(live.id, {"op": "message", "id": body.message_id})
        if "error" in found:
            raise NotFound(f"message {body.message_id} is not among the room's recent messages")
        message = found["message"]
    else:
        message = {"id": None, "user_id": principal.user_id, "name": None, "role": "host", "text": body.text}
    await service.pin_message(session, principal=principal, live=live, message=message)
    await session.commit()
    await rooms.changed(live.id, "pinned_message")
    return {"message": message}


@router.delete("/{session_id}/pinned-message", status_code=status.HTTP_204_NO_CONTENT)
async def unpin_message(session_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms) -> Response:
    live = await service.get_for_staff(session, principal=principal, session_id=session_id)
    await service.pin_message(session, principal=principal, live=live, message=None)
    await session.commit()
    await rooms.changed(live.id, "pinned_message")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
