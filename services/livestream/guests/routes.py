from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from services.livestream.guests import service
from services.livestream.guests.models import GuestInvitation, GuestInvite, GuestPublic, GuestRedeem
from services.livestream.room.hub import RoomHub, get_rooms
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/sessions/{session_id}/guests", tags=["guests"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GuestInvitation, summary="Invite a guest (host)")
async def invite(
    session_id: str, body: GuestInvite, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> object:
    settings = request.app.state.settings
    invitation = await service.invite(
        session,
        principal=principal,
        session_id=session_id,
        data=body,
        link_base=settings.public_url,
        ttl=timedelta(hours=settings.guest_link_hours),
    )
    await session.commit()
    return invitation


@router.get("", response_model=list[GuestPublic], summary="The session's guests (host, moderators)")
async def list_guests(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.list_guests(session, principal=principal, session_id=session_id)


@router.post("/redeem", response_model=GuestPublic, summary="Use a guest link: join the room as the guest")
async def redeem(
    session_id: str, body: GuestRedeem, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    guest = await service.redeem(session, principal=principal, session_id=session_id, token=body.token)
    await session.commit()
    await rooms.changed(session_id, "guests")
    return guest


@router.delete("/{guest_id}", response_model=GuestPublic, summary="Take a guest off air (host)")
async def revoke(
    session_id: str, guest_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    guest = await service.revoke(session, principal=principal, session_id=session_id, guest_id=guest_id)
    await session.commit()
    await rooms.changed(session_id, "guests")
    return guest
