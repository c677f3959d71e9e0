"""Highlights and the replay: the host marks moments during the session (offset + title); once it has
ended, the replay lists them with the session's figures — peak viewers (distinct people), orders paid
for its deals and sign-ups for its events while it ran, poll results, leads — which
`livestream.session.ended` announces too."""

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.cards import service as cards
from services.livestream.cards.models import CardKind
from services.livestream.highlights.models import Highlight, HighlightCreate, HighlightPublic, Replay
from services.livestream.leads import service as leads
from services.livestream.polls import service as polls
from services.livestream.polls.models import CLOSED
from services.livestream.purchases import service as purchases
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import ENDED, LIVE, REPLAY, LiveSession
from services.livestream.signups import service as signups
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict
from shared.events.schemas.livestream import SessionEnded
from shared.models import utcnow


async def mark(session: AsyncSession, *, principal: Principal, session_id: str, data: HighlightCreate) -> Highlight:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    if live.status != LIVE or live.started_at is None:
        raise Conflict("moments are marked while the session is live")
    offset = data.offset_seconds
    if offset is None:
        offset = int((utcnow() - live.started_at).total_seconds())
    highlight = Highlight(session_id=live.id, offset_seconds=offset, title=data.title, created_by=principal.user_id)
    session.add(highlight)
    return highlight


async def list_highlights(session: AsyncSession, session_id: str) -> list[HighlightPublic]:
    rows = (
        await session.exec(
            select(Highlight)
            .where(Highlight.session_id == session_id)
            .order_by(col(Highlight.offset_seconds), col(Highlight.created_at))
        )
    ).all()
    return [HighlightPublic.model_validate(h, from_attributes=True) for h in rows]


async def summary(session: AsyncSession, live: LiveSession) -> dict[str, Any]:
    start, end = live.started_at, live.ended_at or utcnow()
    orders = sign_ups = 0
    if start is not None:
        deals = await cards.shown(session, live.id, CardKind.deal)
        events = await cards.shown(session, live.id, CardKind.event)
        orders = await purchases.orders_between(session, deal_ids=deals, start=start, end=end)
        sign_ups = await signups.sign_ups_between(session, event_ids=events, start=start, end=end)
    closed = [p for p in await polls.polls_of(session, live.id) if p.status == CLOSED]
    return {
        "peak_viewers": live.peak_viewers,
        "orders": orders,
        "sign_ups": sign_ups,
        "leads": await leads.count(session, live.id),
        "polls": [(await polls.render_poll(session, p)).model_dump(mode="json") for p in closed],
    }


async def end_session(session: AsyncSession, *, principal: Principal, session_id: str) -> LiveSession:
    live = await sessions.end(session, principal=principal, session_id=session_id)
    figures = await summary(session, live)
    assert live.ended_at is not None
    await emit(
        session,
        SessionEnded(
            session_id=live.id,
            community_id=live.community_id,
            host_id=live.host_id,
            started_at=live.started_at,
            ended_at=live.ended_at,
            peak_viewers=figures["peak_viewers"],
            orders=figures["orders"],
            sign_ups=figures["sign_ups"],
            leads=figures["leads"],
        ),
        subject=live.id,
        community_id=live.community_id,
        actor_id=principal.user_id,
    )
    return live


async def replay(session: AsyncSession, *, principal: Principal, session_id: str) -> Replay:
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    if live.status not in (ENDED, REPLAY):
        raise Conflict("the replay is there once the session has ended")
    return Replay(
        session_id=live.id,
        title=live.title,
        status=live.status,
        replay_url=live.replay_url,
        started_at=live.started_at,
        ended_at=live.ended_at,
        highlights=await list_highlights(session, live.id),
        summary=await summary(session, live),
    )
