from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from services.livestream.cards import service
from services.livestream.cards.models import CardCreate, TestimonialCreate, TestimonialPublic
from services.livestream.room.hub import RoomHub, get_rooms
from services.livestream.sessions import service as sessions
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/sessions/{session_id}", tags=["cards"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.get("/cards", summary="The session's cards, with live stock")
async def list_cards(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return await service.list_cards(session, principal=principal, session_id=session_id)


@router.post("/cards", status_code=status.HTTP_201_CREATED, summary="Add a card (host, moderators)")
async def add_card(
    session_id: str, body: CardCreate, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> dict[str, Any]:
    card = await service.add(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    await rooms.changed(session_id, "cards")
    live = await sessions.get(session, session_id)
    return await service.render_card(session, live, card)


@router.post("/cards/{card_id}/pin", summary="Pin a card: the one featured on screen (host, moderators)")
async def pin(
    session_id: str, card_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> dict[str, Any]:
    await service.pin(session, principal=principal, session_id=session_id, card_id=card_id)
    await session.commit()
    await rooms.changed(session_id, "cards")
    return await service.list_cards(session, principal=principal, session_id=session_id)


@router.delete("/cards/{card_id}/pin", summary="Unpin a card")
async def unpin(
    session_id: str, card_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> dict[str, Any]:
    await service.unpin(session, principal=principal, session_id=session_id, card_id=card_id)
    await session.commit()
    await rooms.changed(session_id, "cards")
    return await service.list_cards(session, principal=principal, session_id=session_id)


@router.delete("/cards/{card_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Take a card off the list")
async def remove(
    session_id: str, card_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> Response:
    await service.remove(session, principal=principal, session_id=session_id, card_id=card_id)
    await session.commit()
    await rooms.changed(session_id, "cards")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/testimonials", status_code=status.HTTP_201_CREATED, response_model=TestimonialPublic)
async def testify(session_id: str, body: TestimonialCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    """A resident tells of a product they bought and picked up; the host may pin it as a card."""
    testimonial = await service.testify(session, principal=principal, session_id=session_id, data=body)
    await session.commit()
    return testimonial


@router.get("/testimonials", response_model=list[TestimonialPublic])
async def list_testimonials(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.list_testimonials(session, principal=principal, session_id=session_id)
