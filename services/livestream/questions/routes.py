from typing import Annotated

from fastapi import APIRouter, Depends, status

from services.livestream.questions import service
from services.livestream.questions.models import AnswerCreate, AnswerPublic, QuestionPublic
from services.livestream.room.hub import RoomHub, get_rooms
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/sessions", tags=["questions"])
Rooms = Annotated[RoomHub, Depends(get_rooms)]


@router.get("/{session_id}/questions", response_model=list[QuestionPublic], summary="Questions, most upvoted first")
async def list_questions(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.list_questions(session, principal=principal, session_id=session_id)


@router.post("/{session_id}/questions/{question_id}/answered", response_model=QuestionPublic, summary="Answered on air")
async def mark_answered(
    session_id: str, question_id: str, session: SessionDep, principal: CurrentPrincipal, rooms: Rooms
) -> object:
    question = await service.mark_answered(session, principal=principal, session_id=session_id, question_id=question_id)
    await session.commit()
    await rooms.changed(session_id, f"question:{question.id}")
    return await service.render_question(session, question)


@router.get("/qa/products/{product_id}", response_model=list[QuestionPublic], summary="A product's Q&A, with answers")
async def product_questions(product_id: EntityId, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.product_questions(session, principal=principal, product_id=product_id)


@router.post(
    "/qa/questions/{question_id}/answers",
    status_code=status.HTTP_201_CREATED,
    response_model=AnswerPublic,
    summary="Answer a product question (the community's leaders, residents who bought it)",
)
async def answer(question_id: str, body: AnswerCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    answer = await service.answer(session, principal=principal, question_id=question_id, data=body)
    await session.commit()
    return answer
