"""iCalendar for phones: one event as `.ics`, and a community's calendar feed at a secret URL per
person (a phone's calendar app fetches it without a bearer token, so the token is in the URL; only
its hash is kept). The feed holds the events still to come — a recurring one while its rule runs —
and stops the moment its owner leaves the community or rotates the URL."""

import hashlib
import secrets
from datetime import datetime

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.models import Community
from services.community.communities.service import get_community, is_member
from services.community.events import access, calendar
from services.community.events.models import CLOSED, HELD, PUBLISHED, CalendarFeed, CalendarFeedPublic, OfflineEvent
from shared.auth import Principal
from shared.errors import NotFound
from shared.models import utcnow

FEED_PATH = "/api/v1/calendar-feeds/{token}.ics"  # through the gateway, which forwards it without a bearer


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def rotate(
    session: AsyncSession, *, principal: Principal, community_id: str, public_url: str
) -> CalendarFeedPublic:
    """A new secret URL for the caller's feed of this community; the previous one stops working."""
    await get_community(session, principal=principal, community_id=community_id)
    token = secrets.token_urlsafe(24)
    feed = await session.get(CalendarFeed, (community_id, principal.user_id))
    if feed is None:
        feed = CalendarFeed(community_id=community_id, user_id=principal.user_id, token_hash=_hash(token))
    else:
        feed.token_hash, feed.created_at = _hash(token), utcnow()
    session.add(feed)
    url = public_url + FEED_PATH.format(token=token)
    return CalendarFeedPublic(community_id=community_id, url=url, created_at=feed.created_at)


async def revoke(session: AsyncSession, *, principal: Principal, community_id: str) -> None:
    await get_community(session, principal=principal, community_id=community_id)
    feed = await session.get(CalendarFeed, (community_id, principal.user_id))
    if feed is None:
        raise NotFound("you have no calendar feed for this community")
    await session.delete(feed)


async def feed(session: AsyncSession, *, token: str, now: datetime) -> bytes:
    """The feed behind a secret URL: the community's events not over at `now`, recurring ones by rule."""
    owner = (await session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))).first()
    if owner is None or not await is_member(session, community_id=owner.community_id, user_id=owner.user_id):
        raise NotFound("no calendar feed has this URL (it may have been rotated)")
    community = await session.get(Community, owner.community_id)
    assert community is not None  # a foreign key
    rows = (
        await session.exec(
            select(OfflineEvent.ics, OfflineEvent.timezone)
            .where(
                OfflineEvent.community_id == owner.community_id,
                col(OfflineEvent.status).in_([PUBLISHED, CLOSED, HELD]),
                or_(col(OfflineEvent.until).is_(None), col(OfflineEvent.until) > now),
            )
            .order_by(col(OfflineEvent.starts_at), col(OfflineEvent.id))
        )
    ).all()
    return calendar.document((ics for ics, _ in rows), {tz for _, tz in rows}, name=community.name)


async def event_ics(session: AsyncSession, *, principal: Principal, event_id: str) -> bytes:
    event = await access.visible_event(session, principal=principal, event_id=event_id)
    return calendar.document([event.ics], [event.timezone])
