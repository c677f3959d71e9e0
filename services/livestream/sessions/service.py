"""Session rules: a leader schedules sessions for their community and hosts them (scheduled → live →
ended → replay); members (anyone, for a public session) watch; residents ask to be reminded."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.sessions.models import (
    ENDED,
    LIVE,
    REPLAY,
    SCHEDULED,
    LiveSession,
    LiveSessionCreate,
    LiveSessionPublic,
    LiveSessionUpdate,
    Reminder,
    ReminderStatus,
    RoomSettings,
)
from shared.auth import LEADER, MODERATOR, Principal
from shared.bus import emit
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.schemas.livestream import SessionReminderDue, SessionScheduled, SessionStarted
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


# ---------------------------------------------------------------------- who may do what


def is_staff(live: LiveSession, principal: Principal) -> bool:
    """The host, and the community's leaders and moderators (from the token's roles)."""
    if principal.user_id == live.host_id or principal.operator:
        return True
    return bool({LEADER, MODERATOR} & set(principal.roles_in(live.community_id)))


def require_host(live: LiveSession, principal: Principal) -> None:
    if principal.user_id != live.host_id:
        raise Forbidden("only the session's host may do this")


def require_staff(live: LiveSession, principal: Principal) -> None:
    if not is_staff(live, principal):
        raise Forbidden("only the host and the community's moderators may do this")


def require_viewer(live: LiveSession, principal: Principal) -> None:
    """Members watch their community's sessions; anyone logged in watches a public one."""
    if live.community_only:
        principal.require_member(live.community_id)


async def get(session: AsyncSession, session_id: str) -> LiveSession:
    live = await session.get(LiveSession, session_id)
    if live is None:
        raise NotFound(f"live session {session_id} does not exist")
    return live


async def get_for_viewer(session: AsyncSession, *, principal: Principal, session_id: str) -> LiveSession:
    live = await get(session, session_id)
    require_viewer(live, principal)
    return live


async def get_for_staff(session: AsyncSession, *, principal: Principal, session_id: str) -> LiveSession:
    live = await get_for_viewer(session, principal=principal, session_id=session_id)
    require_staff(live, principal)
    return live


async def get_for_host(session: AsyncSession, *, principal: Principal, session_id: str) -> LiveSession:
    live = await get_for_viewer(session, principal=principal, session_id=session_id)
    require_host(live, principal)
    return live


def require_open(live: LiveSession) -> None:
    if not live.is_open:
        raise Conflict(f"the session has {live.status}")


# ---------------------------------------------------------------------- reading


async def public(session: AsyncSession, live: LiveSession, *, principal: Principal) -> LiveSessionPublic:
    reminders = await session.exec(select(func.count()).where(Reminder.session_id == live.id))
    return LiveSessionPublic.model_validate(
        {
            **live.model_dump(),
            "ingest_url": live.ingest_url if principal.user_id == live.host_id else None,
            "reminders": reminders.one(),
        }
    )


async def list_upcoming(
    session: AsyncSession, *, principal: Principal, community_id: str, limit: int, offset: int
) -> list[LiveSession]:
    """Sessions not over yet (scheduled or live), soonest first."""
    principal.require_member(community_id)
    query = (
        select(LiveSession)
        .where(
            LiveSession.community_id == community_id,
            col(LiveSession.status).in_([SCHEDULED, LIVE]),
        )
        .order_by(col(LiveSession.planned_start))
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())


# ---------------------------------------------------------------------- the host's changes


async def update_session(
    session: AsyncSession, *, principal: Principal, session_id: str, data: LiveSessionUpdate
) -> LiveSession:
    live = await get_for_host(session, principal=principal, session_id=session_id)
    if live.status != SCHEDULED:
        raise Conflict("a session's details change only before it goes live")
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None and name in ("title", "planned_start", "community_only"):
            continue  # required fields are not cleared
        setattr(live, name, value)
    session.add(live)
    return live


async def start(session: AsyncSession, *, principal: Principal, session_id: str) -> LiveSession:
    live = await get_for_host(session, principal=principal, session_id=session_id)
    if live.status != SCHEDULED:
        raise Conflict(f"only a scheduled session goes live; this one is {live.status}")
    live.status, live.started_at = LIVE, utcnow()
    session.add(live)
    await emit(
        session,
        SessionStarted(
            session_id=live.id,
            community_id=live.community_id,
            host_id=live.host_id,
            title=live.title,
            kind=live.kind,
            started_at=live.started_at,
        ),
        subject=live.id,
        community_id=live.community_id,
        actor_id=principal.user_id,
    )
    return live


async def end(session: AsyncSession, *, principal: Principal, session_id: str) -> LiveSession:
    """Live → ended (the figures are announced by `replays.announce_end`)."""
    live = await get_for_host(session, principal=principal, session_id=session_id)
    if live.status != LIVE:
        raise Conflict(f"only a live session ends; this one is {live.status}")
    live.status, live.ended_at = ENDED, utcnow()
    session.add(live)
    return live


async def set_replay(session: AsyncSession, *, principal: Principal, session_id: str, replay_url: str) -> LiveSession:
    live = await get_for_host(session, principal=principal, session_id=session_id)
    if live.status not in (ENDED, REPLAY):
        raise Conflict("a replay is available only after the session ended")
    live.status, live.replay_url = REPLAY, replay_url
    session.add(live)
    return live


async def update_room(
    session: AsyncSession, *, principal: Principal, session_id: str, data: RoomSettings
) -> LiveSession:
    live = await get_for_staff(session, principal=principal, session_id=session_id)
    require_open(live)
    for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(live, name, sorted(set(value)) if isinstance(value, list) else value)
    session.add(live)
    return live


async def pin_message(
    session: AsyncSession, *, principal: Principal, live: LiveSession, message: dict[str, Any] | None
) -> LiveSession:
    require_staff(live, principal)
    require_open(live)
    live.pinned_message = message
    session.add(live)
    return live


async def record_peak(db: Database, session_id: str, peak: int) -> None:
    async with db.session() as session:
        await session.execute(
            update(LiveSession)
            .where(col(LiveSession.id) == session_id, col(LiveSession.peak_viewers) < peak)
            .values(peak_viewers=peak)
        )
        await session.commit()


# ---------------------------------------------------------------------- reminders


async def subscribe(session: AsyncSession, *, principal: Principal, session_id: str) -> ReminderStatus:
    live = await get_for_viewer(session, principal=principal, session_id=session_id)
    if live.status != SCHEDULED:
        raise Conflict("reminders are for sessions that have not started")
    if await session.get(Reminder, (live.id, principal.user_id)) is None:
        session.add(Reminder(session_id=live.id, user_id=principal.user_id))
        await session.flush()
    return await reminder_status(session, principal=principal, session_id=session_id)


async def unsubscribe(session: AsyncSession, *, principal: Principal, session_id: str) -> ReminderStatus:
    live = await get_for_viewer(session, principal=principal, session_id=session_id)
    reminder = await session.get(Reminder, (live.id, principal.user_id))
    if reminder is not None:
        await session.delete(reminder)
        await session.flush()
    return await reminder_status(session, principal=principal, session_id=session_id)


async def reminder_status(session: AsyncSession, *, principal: Principal, session_id: str) -> ReminderStatus:
    live = await get_for_viewer(session, principal=principal, session_id=session_id)
    count = (await session.exec(select(func.count()).where(Reminder.session_id == live.id))).one()
    mine = await session.get(Reminder, (live.id, principal.user_id))
    return ReminderStatus(count=count, subscribed=mine is not None)


async def remind(db: Database, *, now: datetime, ahead: timedelta) -> int:
    """The clock: announce `livestream.session.reminder_due` once per session starting within `ahead`
    (claimed with a conditional update, so instances running the clock together announce it once)."""
    async with db.reader() as reader:
        due = (
            await reader.exec(
                select(LiveSession.id).where(
                    LiveSession.status == SCHEDULED,
                    col(LiveSession.reminder_sent_at).is_(None),
                    col(LiveSession.planned_start) <= now + ahead,
                )
            )
        ).all()
    for session_id in due:
        async with db.session() as session:
            claimed = await session.execute(
                update(LiveSession)
                .where(col(LiveSession.id) == session_id, col(LiveSession.reminder_sent_at).is_(None))
                .values(reminder_sent_at=now)
            )
            if claimed.rowcount:  # type: ignore[attr-defined]
                live = await get(session, session_id)
                subscribers = (
                    await session.exec(select(Reminder.user_id).where(Reminder.session_id == session_id))
                ).all()
                await emit(
                    session,
                    SessionReminderDue(
                        session_id=live.id,
                        community_id=live.community_id,
                        title=live.title,
                        planned_start=live.planned_start,
                        subscriber_ids=sorted(subscribers),
                    ),
                    subject=live.id,
                    community_id=live.community_id,
                )
            await session.commit()
    return len(due)


# ---------------------------------------------------------------------- room frames


def render_session(live: LiveSession) -> dict[str, Any]:
    return {
        "id": live.id,
        "community_id": live.community_id,
        "host_id": live.host_id,
        "title": live.title,
        "kind": live.kind,
        "status": live.status,
        "cover_url": live.cover_url,
        "playback_url": live.playback_url,
        "planned_start": live.planned_start,
        "started_at": live.started_at,
        "ended_at": live.ended_at,
    }


def render_room(live: LiveSession) -> dict[str, Any]:
    return {"slow_mode_seconds": live.slow_mode_seconds, "lead_keywords": live.lead_keywords}
