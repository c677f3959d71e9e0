from typing import Annotated

from fastapi import APIRouter, Depends, status

from services.livestream.giveaways import service
from services.livestream.giveaways.models import GiveawayAudit, GiveawayCreate, GiveawayPublic
from services.livestream.room.hub import RoomHub, get_rooms
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/sessions/{session_id}/giveaways", tags=["giveaways"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GiveawayPublic, summary="Open a giveaway (福袋)")
async def open_giveaway(
    session_id: str, body: GiveawayCreate, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    giveaway = await service.open_giveaway(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.changed(session_id, f"giveaway:{giveaway.id}")
    return await service.render_giveaway(session, giveaway)


@router.post(
    "/{giveaway_id}/draw", response_model=GiveawayPublic, summary="Close it and draw among the viewers present"
)
async def draw(
    session_id: str, giveaway_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    await service.get_open(session, principal=principal, session_id=session_id, giveaway_id=giveaway_id)
    present = (await rooms.call(session_id, {"op": "present"}))["users"]
    giveaway = await service.draw(
        session, principal=principal, session_id=session_id, giveaway_id=giveaway_id, present=present
    )
    await session.commit()
    await rooms.changed(session_id, f"giveaway:{giveaway.id}")
    return await service.render_giveaway(session, giveaway)


@router.get("/{giveaway_id}", response_model=GiveawayAudit, summary="The draw's audit: seed, eligible viewers, rule")
async def audit(session_id: str, giveaway_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.audit(session, principal=principal, session_id=session_id, giveaway_id=giveaway_id)
