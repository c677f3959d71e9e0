"""Session rules: a leader schedules sessions for their community; members see what is coming."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.sessions.models import LiveSession, LiveSessionCreate
from shared.access import get_for_member
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.events.schemas.livestream import SessionScheduled
from shared.models import utcnow


async def schedule_session(session: AsyncSession, *, principal: Principal, data: LiveSessionCreate) -> LiveSession:
    principal.require_role(data.community_id, LEADER)
    live = LiveSession(**data.model_dump(), host_id=principal.user_id)
    live.topics = sorted(set(live.topics))
    session.add(live)
    await emit(
        session,
        SessionScheduled(
            session_id=live.id,
            community_id=live.community_id,
            host_id=live.host_id,
            title=live.title,
            kind=live.kind,
            planned_start=live.planned_start,
            topics=live.topics,
        ),
        subject=live.id,
        community_id=live.community_id,
        actor_id=principal.user_id,
    )
    return live


async def get_session(session: AsyncSession, *, principal: Principal, session_id: str) -> LiveSession:
    return await get_for_member(session, LiveSession, session_id, principal=principal, label="live session")


async def list_upcoming(
    session: AsyncSession, *, principal: Principal, community_id: str, limit: int, offset: int
) -> list[LiveSession]:
    principal.require_member(community_id)
    query = (
        select(LiveSession)
        .where(LiveSession.community_id == community_id, col(LiveSession.planned_start) > utcnow())
        .order_by(col(LiveSession.planned_start))
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())
