"""The events clock (a periodic job): closes sign-up when its time comes (`community.event.closed`),
releases seats held for a fee that was not paid by `pay_by` (the waitlist moves up, a promoted seat
held afresh for `hold`) and reminds everyone with a seat `lead` before an event starts — before each
session of a recurring one (`community.event.reminder`, once per occurrence: `reminded_for`). Each
event is handled in its own transaction under its row lock, so several instances may tick at once."""

from datetime import datetime, timedelta

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.events import recurrence, registration
from services.community.events.models import AWAITING_PAYMENT, CLOSED, PUBLISHED, OfflineEvent, Registration
from services.community.events.rows import lock
from services.community.events.service import close_sign_up
from shared.bus import emit
from shared.db import Database
from shared.events.schemas.community import OfflineEventReminder


async def tick(db: Database, *, now: datetime, lead: timedelta, hold: timedelta) -> None:
    async with db.reader() as reader:
        closing = (
            await reader.exec(
                select(OfflineEvent.id).where(
                    OfflineEvent.status == PUBLISHED, col(OfflineEvent.registration_closes_at) <= now
                )
            )
        ).all()
        # Events whose first occurrence is near or past and whose last is not: the next one may be due.
        soon = (
            await reader.exec(
                select(OfflineEvent).where(
                    col(OfflineEvent.status).in_([PUBLISHED, CLOSED]),
                    col(OfflineEvent.starts_at) <= now + lead,
                    or_(col(OfflineEvent.until).is_(None), col(OfflineEvent.until) > now),
                )
            )
        ).all()
        unpaid = (
            await reader.exec(
                select(Registration.event_id)
                .where(Registration.status == AWAITING_PAYMENT, col(Registration.pay_by) <= now)
                .distinct()
            )
        ).all()
    for event_id in unpaid:
        async with db.session() as session:
            event = await lock(session, event_id)
            await registration.release_unpaid(session, event, now=now, hold=hold)
            await session.commit()
    for event_id in closing:
        async with db.session() as session:
            event = await lock(session, event_id)
            if event.status == PUBLISHED and event.registration_closes_at <= now:  # not closed meanwhile
                await close_sign_up(session, event, actor_id=None)
            await session.commit()
    for candidate in soon:
        occurrence = _due(candidate, now=now, lead=lead)
        if occurrence is None:
            continue
        async with db.session() as session:
            event = await lock(session, candidate.id)
            if event.status in (PUBLISHED, CLOSED) and _due(event, now=now, lead=lead) == occurrence:
                await _remind(session, event, occurrence)
            await session.commit()


def _due(event: OfflineEvent, *, now: datetime, lead: timedelta) -> datetime | None:
    """The occurrence to remind of now, if any: the next to start, within `lead`, not yet reminded of."""
    upcoming = recurrence.next_start(event.rrule, starts_at=event.starts_at, timezone=event.timezone, after=now)
    if upcoming is None or upcoming - lead > now or upcoming == event.reminded_for:
        return None
    return upcoming


async def _remind(session: AsyncSession, event: OfflineEvent, occurrence: datetime) -> None:
    event.reminded_for = occurrence
    session.add(event)
    recipients = await registration.people(session, event.id)
    if recipients:
        await emit(
            session,
            OfflineEventReminder(
                event_id=event.id,
                community_id=event.community_id,
                title=event.title,
                place=event.place,
                starts_at=occurrence,
                recipient_ids=recipients,
            ),
            subject=event.id,
            community_id=event.community_id,
        )
