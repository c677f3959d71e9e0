"""Moderation: the host and moderators mute a viewer for a while or remove them for good (a removed
viewer cannot join the session again). Deleting a chat message is the room's (chat lives there)."""

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.moderation.models import Mute, MuteCreate, Removal, RemovalCreate
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSession
from shared.auth import Principal
from shared.errors import Forbidden
from shared.models import utcnow


def _not_staff_target(live: LiveSession, principal: Principal, user_id: str) -> None:
    if user_id == live.host_id or user_id == principal.user_id:
        raise Forbidden("the host and you yourself cannot be muted or removed")


async def mute(session: AsyncSession, *, principal: Principal, session_id: str, data: MuteCreate) -> Mute:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    _not_staff_target(live, principal, data.user_id)
    row = await session.get(Mute, (live.id, data.user_id)) or Mute(
        session_id=live.id, user_id=data.user_id, until=utcnow(), by=""
    )
    row.until, row.by = utcnow() + timedelta(minutes=data.minutes), principal.user_id
    session.add(row)
    return row


async def unmute(session: AsyncSession, *, principal: Principal, session_id: str, user_id: str) -> None:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    row = await session.get(Mute, (live.id, user_id))
    if row is not None:
        await session.delete(row)


async def remove(session: AsyncSession, *, principal: Principal, session_id: str, data: RemovalCreate) -> Removal:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    _not_staff_target(live, principal, data.user_id)
    row = await session.get(Removal, (live.id, data.user_id))
    if row is None:
        row = Removal(session_id=live.id, user_id=data.user_id, by=principal.user_id, reason=data.reason)
        session.add(row)
    return row


async def is_removed(session: AsyncSession, *, session_id: str, user_id: str) -> bool:
    return await session.get(Removal, (session_id, user_id)) is not None


async def muted_until(session: AsyncSession, *, session_id: str, user_id: str) -> datetime | None:
    row = await session.get(Mute, (session_id, user_id))
    return row.until if row is not None and row.until > utcnow() else None


async def current(session: AsyncSession, session_id: str) -> tuple[dict[str, datetime], set[str]]:
    """Who is muted (until when) and who was removed: the room's sequencer loads them when it takes over."""
    mutes = (await session.exec(select(Mute).where(Mute.session_id == session_id, col(Mute.until) > utcnow()))).all()
    removed = (await session.exec(select(Removal.user_id).where(Removal.session_id == session_id))).all()
    return {m.user_id: m.until for m in mutes}, set(removed)
