"""Highlights: after an event, its organisers post photos, a few words and the replay link, and they
stay on the community's page — the offline event fed back into the online community."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.service import get_community
from services.community.events import access
from services.community.events.models import (
    ARCHIVED,
    HELD,
    Highlight,
    HighlightCreate,
    HighlightPublic,
    OfflineEvent,
)
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict
from shared.events.schemas.community import OfflineEventHighlightPosted


async def post(session: AsyncSession, *, principal: Principal, event_id: str, data: HighlightCreate) -> HighlightPublic:
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status not in (HELD, ARCHIVED):
        raise Conflict(f"this event is {event.status}; highlights are for events that took place (mark it held)")
    highlight = Highlight(
        **data.model_dump(), event_id=event.id, community_id=event.community_id, author_id=principal.user_id
    )
    session.add(highlight)
    await emit(
        session,
        OfflineEventHighlightPosted(
            highlight_id=highlight.id,
            event_id=event.id,
            community_id=event.community_id,
            author_id=principal.user_id,
            text=highlight.text,
            photos=highlight.photos,
            replay_url=highlight.replay_url,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=principal.user_id,
    )
    return public(highlight, event.title)


async def of_community(
    session: AsyncSession, *, principal: Principal, community_id: str, limit: int, offset: int
) -> list[HighlightPublic]:
    """The community's page: its events' highlights, newest first."""
    await get_community(session, principal=principal, community_id=community_id)
    rows = await session.exec(
        select(Highlight, OfflineEvent.title)
        .join(OfflineEvent, col(OfflineEvent.id) == col(Highlight.event_id))
        .where(Highlight.community_id == community_id)
        .order_by(col(Highlight.created_at).desc(), col(Highlight.id))
        .offset(offset)
        .limit(limit)
    )
    return [public(highlight, title) for highlight, title in rows.all()]


def public(highlight: Highlight, title: str) -> HighlightPublic:
    return HighlightPublic.model_validate({**highlight.model_dump(), "event_title": title})
