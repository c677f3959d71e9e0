"""The events clock, moved forward by hand against a real database: sign-up closes once at its time,
and everyone with a seat is reminded once before the event — before each session of a weekly class."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select

from services.community.events import clock, registration
from services.community.events.models import CLOSED, OfflineEvent, RegistrationCreate
from shared.bus.tables import outbox
from tests import factories
from tests.community.place import HOLD, Place

LEAD = timedelta(hours=2)


async def events_of(place: Place, kind: str, event_id: str) -> list[dict[str, object]]:
    async with place.db.reader() as session:
        rows = (
            await session.execute(select(outbox.c.payload).where(outbox.c.type == kind).order_by(outbox.c.seq))
        ).all()
    found = [json.loads(payload)["data"] for (payload,) in rows]
    return [data for data in found if data["event_id"] == event_id]


async def status_of(place: Place, event_id: str) -> str:
    async with place.db.reader() as session:
        event = await session.get(OfflineEvent, event_id)
        assert event is not None
        return event.status


async def sign_up(place: Place, event_id: str, n: int) -> list[str]:
    people = await place.residents(n)
    async with place.db.session() as session:
        for who in people:
            await registration.sign_up(session, principal=who, event_id=event_id, data=RegistrationCreate(), hold=HOLD)
        await session.commit()
    return [who.user_id for who in people]


async def test_sign_up_closes_once_at_its_time(place: Place) -> None:
    event = await place.event()
    await clock.tick(place.db, now=event.registration_closes_at - timedelta(seconds=1), lead=LEAD, hold=HOLD)
    assert await status_of(place, event.id) == "published"
    for _ in range(2):
        await clock.tick(place.db, now=event.registration_closes_at, lead=LEAD, hold=HOLD)
    assert await status_of(place, event.id) == CLOSED
    assert len(await events_of(place, "community.event.closed", event.id)) == 1


async def test_everyone_with_a_seat_is_reminded_once(place: Place) -> None:
    event = await place.event(capacity=2)
    seated = await sign_up(place, event.id, 3)  # the third waits: not reminded
    await clock.tick(place.db, now=event.starts_at - LEAD - timedelta(minutes=1), lead=LEAD, hold=HOLD)
    assert await events_of(place, "community.event.reminder", event.id) == []
    for minutes in (119, 60, 1):
        await clock.tick(place.db, now=event.starts_at - timedelta(minutes=minutes), lead=LEAD, hold=HOLD)
    [reminder] = await events_of(place, "community.event.reminder", event.id)
    assert reminder["recipient_ids"] == seated[:2]
    assert datetime.fromisoformat(str(reminder["starts_at"])) == event.starts_at


async def test_a_weekly_class_is_reminded_before_each_session(place: Place) -> None:
    event = await place.event(**factories.weekly_class(rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=3"))
    await sign_up(place, event.id, 1)
    sessions = [event.starts_at + timedelta(weeks=week) for week in range(3)]
    for start in sessions:
        for minutes in (90, 30):
            await clock.tick(place.db, now=start - timedelta(minutes=minutes), lead=LEAD, hold=HOLD)
    await clock.tick(place.db, now=sessions[-1] + timedelta(days=1), lead=LEAD, hold=HOLD)
    reminders = await events_of(place, "community.event.reminder", event.id)
    assert [datetime.fromisoformat(str(r["starts_at"])) for r in reminders] == sessions
    assert await status_of(place, event.id) == CLOSED  # sign-up closed at the first session
