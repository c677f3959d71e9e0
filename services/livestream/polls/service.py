"""Polls that collect needs (需求征集): the host or a moderator creates one, opens and closes it;
viewers vote once (single or multiple choice); results are live; a closed poll announces its counts
per option (`livestream.poll.closed`) for matching to aggregate demand."""

from collections import Counter

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.polls.models import (
    CLOSED,
    DRAFT,
    OPEN,
    Ballot,
    Poll,
    PollCreate,
    PollOptionPublic,
    PollPublic,
)
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSession
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events.schemas.livestream import PollClosed, PollOptionCount
from shared.models import new_id, utcnow


class AlreadyVoted(Conflict):
    slug = "already-voted"


async def create(session: AsyncSession, *, principal: Principal, session_id: str, data: PollCreate) -> Poll:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    poll = Poll(
        session_id=live.id,
        community_id=live.community_id,
        question=data.question,
        multiple=data.multiple,
        options=[{"id": new_id()[:8], "label": o.label, "category": o.category} for o in data.options],
    )
    if data.open:
        poll.status, poll.opened_at = OPEN, utcnow()
    session.add(poll)
    return poll


async def _staff_poll(
    session: AsyncSession, *, principal: Principal, session_id: str, poll_id: str
) -> tuple[LiveSession, Poll]:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    poll = await session.get(Poll, poll_id)
    if poll is None or poll.session_id != live.id:
        raise NotFound(f"poll {poll_id} does not exist in this session")
    return live, poll


async def open_poll(session: AsyncSession, *, principal: Principal, session_id: str, poll_id: str) -> Poll:
    live, poll = await _staff_poll(session, principal=principal, session_id=session_id, poll_id=poll_id)
    sessions.require_open(live)
    if poll.status != DRAFT:
        raise Conflict(f"the poll is {poll.status}; only a draft opens")
    poll.status, poll.opened_at = OPEN, utcnow()
    session.add(poll)
    return poll


async def close_poll(session: AsyncSession, *, principal: Principal, session_id: str, poll_id: str) -> Poll:
    _, poll = await _staff_poll(session, principal=principal, session_id=session_id, poll_id=poll_id)
    if poll.status != OPEN:
        raise Conflict(f"the poll is {poll.status}; only an open poll closes")
    poll.status, poll.closed_at = CLOSED, utcnow()
    session.add(poll)
    public = await render_poll(session, poll)
    await emit(
        session,
        PollClosed(
            poll_id=poll.id,
            session_id=poll.session_id,
            community_id=poll.community_id,
            question=poll.question,
            multiple=poll.multiple,
            voters=public.voters,
            options=[
                PollOptionCount(option_id=o.id, label=o.label, category=o.category, votes=o.votes)
                for o in public.options
            ],
        ),
        subject=poll.id,
        community_id=poll.community_id,
        actor_id=principal.user_id,
    )
    return poll


async def vote(
    session: AsyncSession, *, principal: Principal, live: LiveSession, poll_id: str, option_ids: list[str]
) -> Poll:
    """One ballot per person: a second vote is refused, so voting twice counts once."""
    poll = await session.get(Poll, poll_id)
    if poll is None or poll.session_id != live.id:
        raise NotFound(f"poll {poll_id} does not exist in this session")
    if poll.status != OPEN:
        raise Conflict(f"the poll is {poll.status}")
    chosen = list(dict.fromkeys(option_ids))
    known = {o["id"] for o in poll.options}
    if not set(chosen) <= known:
        raise Unprocessable("choose among the poll's options", options=sorted(known))
    if not poll.multiple and len(chosen) != 1:
        raise Unprocessable("this poll takes one choice")
    if await session.get(Ballot, (poll.id, principal.user_id)) is not None:
        raise AlreadyVoted("you already voted in this poll")
    session.add(Ballot(poll_id=poll.id, user_id=principal.user_id, option_ids=chosen))
    try:
        await session.flush()
    except IntegrityError:  # the same person voting from two tabs at once
        raise AlreadyVoted("you already voted in this poll") from None
    return poll


async def list_polls(session: AsyncSession, *, principal: Principal, session_id: str) -> list[PollPublic]:
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    polls = (await session.exec(select(Poll).where(Poll.session_id == live.id).order_by(col(Poll.created_at)))).all()
    return [await render_poll(session, p) for p in polls]


async def polls_of(session: AsyncSession, session_id: str) -> list[Poll]:
    return list((await session.exec(select(Poll).where(Poll.session_id == session_id))).all())


async def render_poll(session: AsyncSession, poll: Poll) -> PollPublic:
    ballots = (await session.exec(select(Ballot.option_ids).where(Ballot.poll_id == poll.id))).all()
    counts = Counter(option for chosen in ballots for option in chosen)
    return PollPublic(
        id=poll.id,
        session_id=poll.session_id,
        question=poll.question,
        multiple=poll.multiple,
        status=poll.status,
        voters=len(ballots),
        options=[
            PollOptionPublic(id=o["id"], label=o["label"], category=o["category"], votes=counts[o["id"]])
            for o in poll.options
        ],
        opened_at=poll.opened_at,
        closed_at=poll.closed_at,
    )
