"""Each person's inbox: storing what events tell them (as their preferences allow), listing it with
unread counts, marking it read; the read models that name recipients some events leave out."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.notifications.builders import Notice
from services.gateway.notifications.models import (
    BookingResident,
    Channels,
    CommunityLeader,
    Kind,
    Notification,
    NotificationPage,
    NotificationPreference,
    NotificationPublic,
    Preferences,
    UnreadCount,
)
from shared.bus import emit
from shared.db import Database
from shared.errors import NotFound
from shared.events import Event
from shared.events.schemas.gateway import NotificationCreated
from shared.models import utcnow


@dataclass(frozen=True)
class Delivered:
    """What a recipient gets of one notice: the stored item (None: inbox off for its kind) and
    whether to push it."""

    user_id: str
    notification: NotificationPublic | None
    push: bool


async def deliver(
    session: AsyncSession, *, event: Event[Any], notice: Notice, recipients: Iterable[str]
) -> list[Delivered]:
    """Stage a notification per recipient the kind is on for, each announced as
    `gateway.notification.created`. No one is told of their own action."""
    people = [user_id for user_id in dict.fromkeys(recipients) if user_id != event.actor_id]
    if not people:
        return []
    chosen = await _channels(session, user_ids=people, kind=notice.kind)
    rows = {
        user_id: Notification(
            user_id=user_id,
            kind=notice.kind.value,
            title=notice.title,
            title_en=notice.title_en,
            body=notice.body,
            link=notice.link,
            data=notice.data,
            community_id=event.community_id,
            source_event_id=event.id,
        )
        for user_id in people
        if chosen[user_id].inbox
    }
    session.add_all(rows.values())
    await session.flush()  # the ids
    for row in rows.values():
        await emit(
            session,
            NotificationCreated(
                notification_id=str(row.id),
                user_id=row.user_id,
                kind=row.kind,
                link=row.link,
                source_event_id=event.id,
            ),
            subject=str(row.id),
            community_id=event.community_id,
        )
    return [
        Delivered(user_id, NotificationPublic.of(rows[user_id]) if user_id in rows else None, chosen[user_id].push)
        for user_id in people
        if user_id in rows or chosen[user_id].push
    ]


async def list_notifications(
    session: AsyncSession, *, user_id: str, unread: bool, cursor: int | None, limit: int
) -> NotificationPage:
    """Newest first; `cursor` continues after the previous page's last item."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread:
        query = query.where(col(Notification.read_at).is_(None))
    if cursor is not None:
        query = query.where(col(Notification.id) < cursor)
    rows = list((await session.exec(query.order_by(col(Notification.id).desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    items = [NotificationPublic.of(row) for row in rows[:limit]]
    return NotificationPage(items=items, next_cursor=str(items[-1].id) if more else None)


async def since(session: AsyncSession, *, user_id: str, after: int, limit: int) -> list[NotificationPublic]:
    """Oldest first, those after `after`: what a reconnecting stream missed."""
    query = select(Notification).where(Notification.user_id == user_id, col(Notification.id) > after)
    rows = (await session.exec(query.order_by(col(Notification.id)).limit(limit))).all()
    return [NotificationPublic.of(row) for row in rows]


async def unread_count(session: AsyncSession, *, user_id: str) -> UnreadCount:
    query = (
        select(Notification.kind, func.count())
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        .group_by(Notification.kind)
    )
    by_kind = {Kind(kind): count for kind, count in (await session.exec(query)).all()}
    return UnreadCount(total=sum(by_kind.values()), by_kind=by_kind)


async def mark_read(session: AsyncSession, *, user_id: str, notification_id: int) -> NotificationPublic:
    row = await session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:  # someone else's is as unknown as one that never was
        raise NotFound(f"notification {notification_id} does not exist")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
    return NotificationPublic.of(row)


async def mark_all_read(session: AsyncSession, *, user_id: str) -> int:
    result = await session.exec(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount)


async def preferences(session: AsyncSession, *, user_id: str) -> Preferences:
    rows = (await session.exec(select(NotificationPreference).where(NotificationPreference.user_id == user_id))).all()
    chosen = {Kind(row.kind): Channels(inbox=row.inbox, push=row.push) for row in rows}
    return {kind: chosen.get(kind, Channels()) for kind in Kind}


async def set_preferences(session: AsyncSession, *, user_id: str, changes: Preferences) -> Preferences:
    """The kinds given take the channels given; the others stay as they were."""
    for kind, channels in changes.items():
        await session.merge(NotificationPreference(user_id=user_id, kind=kind.value, **channels.model_dump()))
    await session.flush()
    return await preferences(session, user_id=user_id)


async def _channels(session: AsyncSession, *, user_ids: list[str], kind: Kind) -> dict[str, Channels]:
    """Each person's channels for the kind, read once per transaction: a batch of events often tells
    the same people (an organiser hears of every sign-up in a rush)."""
    known: dict[tuple[str, Kind], Channels] = session.sync_session.info.setdefault(_CHANNELS, {})
    if missing := [user_id for user_id in user_ids if (user_id, kind) not in known]:
        query = select(NotificationPreference).where(
            col(NotificationPreference.user_id).in_(missing), NotificationPreference.kind == kind.value
        )
        chosen = {row.user_id: Channels(inbox=row.inbox, push=row.push) for row in (await session.exec(query)).all()}
        known.update({(user_id, kind): chosen.get(user_id, Channels()) for user_id in missing})
    return {user_id: known[(user_id, kind)] for user_id in user_ids}


_CHANNELS = "notification_channels"


async def prune(db: Database, *, now: datetime, keep: timedelta) -> int:
    """Read notifications older than `keep`; unread ones stay, however old."""
    async with db.session() as session:
        result = await session.exec(
            delete(Notification).where(
                col(Notification.read_at).is_not(None), col(Notification.created_at) < now - keep
            )
        )
        await session.commit()
    return int(result.rowcount)


# --------------------------------------------------------------------------------------------
# Read models: recipients an event does not name


async def leaders_of(session: AsyncSession, *, community_id: str) -> list[str]:
    query = select(CommunityLeader.user_id).where(CommunityLeader.community_id == community_id)
    return list((await session.exec(query)).all())


async def leader_named(session: AsyncSession, *, community_id: str, user_id: str) -> None:
    await session.merge(CommunityLeader(community_id=community_id, user_id=user_id))


async def leader_gone(session: AsyncSession, *, community_id: str, user_id: str) -> None:
    await session.exec(
        delete(CommunityLeader).where(
            col(CommunityLeader.community_id) == community_id, col(CommunityLeader.user_id) == user_id
        )
    )


async def booked(session: AsyncSession, *, booking_id: str, user_id: str) -> None:
    await session.merge(BookingResident(booking_id=booking_id, user_id=user_id))


async def resident_of(session: AsyncSession, *, booking_id: str) -> str | None:
    row = await session.get(BookingResident, booking_id)
    return row.user_id if row else None
