"""Questions (互动问答): viewers ask and upvote (once each), the host answers on air and marks them
answered. A question asked about a deal card belongs to that product too: after the session it stays
on the product's Q&A, where the community's leaders and residents who bought it answer."""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.cards import service as cards
from services.livestream.cards.models import CardKind
from services.livestream.members import service as members
from services.livestream.purchases import service as purchases
from services.livestream.purchases.models import KnownDeal
from services.livestream.questions.models import Answer, AnswerCreate, AnswerPublic, Question, QuestionPublic, Upvote
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSession
from shared.auth import LEADER, Principal
from shared.errors import Conflict, Forbidden, NotFound
from shared.models import utcnow


class AlreadyUpvoted(Conflict):
    slug = "already-upvoted"


async def ask(
    session: AsyncSession, *, principal: Principal, live: LiveSession, text: str, card_id: str | None
) -> Question:
    sessions.require_open(live)
    question = Question(
        session_id=live.id, community_id=live.community_id, author_id=principal.user_id, text=text, card_id=card_id
    )
    if card_id is not None:
        card = await cards.get_card(session, session_id=live.id, card_id=card_id)
        if card.kind == CardKind.deal and (deal := await session.get(KnownDeal, card.ref_id)) is not None:
            question.deal_id, question.product_id = deal.id, deal.product_id
    session.add(question)
    return question


async def _question(session: AsyncSession, live: LiveSession, question_id: str) -> Question:
    question = await session.get(Question, question_id)
    if question is None or question.session_id != live.id:
        raise NotFound(f"question {question_id} does not exist in this session")
    return question


async def upvote(session: AsyncSession, *, principal: Principal, live: LiveSession, question_id: str) -> Question:
    question = await _question(session, live, question_id)
    if await session.get(Upvote, (question.id, principal.user_id)) is not None:
        raise AlreadyUpvoted("you already upvoted this question")
    session.add(Upvote(question_id=question.id, user_id=principal.user_id))
    try:
        await session.flush()
    except IntegrityError:
        raise AlreadyUpvoted("you already upvoted this question") from None
    # counted in SQL: upvotes arriving together on several instances all count
    await session.execute(
        update(Question).where(col(Question.id) == question.id).values(upvotes=col(Question.upvotes) + 1)
    )
    await session.refresh(question)
    return question


async def mark_answered(session: AsyncSession, *, principal: Principal, session_id: str, question_id: str) -> Question:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    question = await _question(session, live, question_id)
    if question.answered_at is None:
        question.answered_at = utcnow()
        session.add(question)
    return question


async def list_questions(session: AsyncSession, *, principal: Principal, session_id: str) -> list[QuestionPublic]:
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    rows = (
        await session.exec(
            select(Question)
            .where(Question.session_id == live.id)
            .order_by(col(Question.upvotes).desc(), col(Question.created_at))
        )
    ).all()
    return [await render_question(session, q) for q in rows]


async def product_questions(session: AsyncSession, *, principal: Principal, product_id: str) -> list[QuestionPublic]:
    """A product's Q&A, from every session of the caller's communities it was shown in, with the answers."""
    communities = list(principal.roles) if not principal.operator else None
    query = select(Question).where(Question.product_id == product_id)
    if communities is not None:
        query = query.where(col(Question.community_id).in_(communities))
    rows = (await session.exec(query.order_by(col(Question.upvotes).desc(), col(Question.created_at)))).all()
    return [await render_question(session, q, with_answers=True) for q in rows]


async def answer(session: AsyncSession, *, principal: Principal, question_id: str, data: AnswerCreate) -> AnswerPublic:
    question = await session.get(Question, question_id)
    if question is None:
        raise NotFound(f"question {question_id} does not exist")
    principal.require_member(question.community_id)
    if question.product_id is None:
        raise Conflict("only questions about a product are answered after the session")
    if LEADER in principal.roles_in(question.community_id):
        role = "leader"
    elif await purchases.bought(session, buyer_id=principal.user_id, product_id=question.product_id):
        role = "buyer"
    else:
        raise Forbidden("a product's questions are answered by the community's leaders and residents who bought it")
    row = Answer(question_id=question.id, author_id=principal.user_id, author_role=role, text=data.text)
    session.add(row)
    return await _answer_public(session, question, row)


async def questions_of(session: AsyncSession, session_id: str) -> list[Question]:
    return list((await session.exec(select(Question).where(Question.session_id == session_id))).all())


async def _answer_public(session: AsyncSession, question: Question, row: Answer) -> AnswerPublic:
    name = await members.name(session, community_id=question.community_id, user_id=row.author_id)
    return AnswerPublic(
        id=row.id,
        author_id=row.author_id,
        author_name=name,
        author_role=row.author_role,
        text=row.text,
        created_at=row.created_at,
    )


async def render_question(session: AsyncSession, question: Question, *, with_answers: bool = False) -> QuestionPublic:
    answers = []
    if with_answers:
        rows = (
            await session.exec(select(Answer).where(Answer.question_id == question.id).order_by(col(Answer.created_at)))
        ).all()
        answers = [await _answer_public(session, question, a) for a in rows]
    return QuestionPublic(
        id=question.id,
        session_id=question.session_id,
        author_id=question.author_id,
        author_name=await members.name(session, community_id=question.community_id, user_id=question.author_id),
        text=question.text,
        card_id=question.card_id,
        product_id=question.product_id,
        upvotes=question.upvotes,
        answered=question.answered_at is not None,
        created_at=question.created_at,
        answers=answers,
    )
