"""An event's row lock: every change to an event and its sign-ups reads the event afresh under it
(SELECT … FOR UPDATE on PostgreSQL, events locked in id order so two transactions never deadlock;
SQLite's BEGIN IMMEDIATE already excludes other writers). A query, not `session.refresh`: the
session flushes what it holds first, so a second change in one transaction builds on the first."""

from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.events.models import OfflineEvent
from shared.errors import NotFound


async def lock(session: AsyncSession, event_id: str) -> OfflineEvent:
    events = await lock_many(session, [event_id])
    if event_id not in events:
        raise NotFound(f"event {event_id} does not exist")
    return events[event_id]


async def lock_many(session: AsyncSession, event_ids: Collection[str]) -> dict[str, OfflineEvent]:
    """The events that exist among `event_ids`, read afresh under their row locks."""
    query = (
        select(OfflineEvent)
        .where(col(OfflineEvent.id).in_(sorted(event_ids)))
        .order_by(col(OfflineEvent.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {event.id: event for event in (await session.exec(query)).all()}
