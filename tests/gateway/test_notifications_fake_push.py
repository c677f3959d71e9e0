"""The inbox's handlers against a real, migrated database, events applied as the bus applies them
(no NATS; the push port is faked and records what it is asked to send): one notification per
(event, recipient), preferences, who is told, the read models of leaders and bookings, retention,
and a slow live stream being cut off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.gateway.models import metadata
from services.gateway.notifications import service
from services.gateway.notifications.builders import Notice
from services.gateway.notifications.handlers import notification_handlers
from services.gateway.notifications.live import Hub, LiveStream
from services.gateway.notifications.models import Channels, Kind, Notification
from shared import migrations
from shared.bus import EventHandlers
from shared.bus.tables import outbox
from shared.db import Database
from shared.events import Event, EventData, new_event
from shared.events.schemas import community as c
from shared.events.schemas import matching as m
from shared.events.schemas import orders as o
from shared.models import new_id, utcnow
from tests.databases import Databases

STALE_AFTER = timedelta(hours=24)


@dataclass
class FakePush:
    sent: list[tuple[str, Kind, int | None]] = field(default_factory=list)

    async def send(self, *, user_id: str, notice: Notice, notification_id: int | None) -> None:
        self.sent.append((user_id, notice.kind, notification_id))


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    database = Database(await databases.new("gateway"))
    await migrations.upgrade(database, "gateway", metadata)
    yield database
    await database.dispose()


@pytest.fixture
def push() -> FakePush:
    return FakePush()


@pytest.fixture
def handlers(push: FakePush) -> EventHandlers:
    return notification_handlers(hub=Hub(queue_size=4), push=push, stale_after=STALE_AFTER)


async def apply(db: Database, handlers: EventHandlers, event: Event[Any]) -> str:
    outcome = (await handlers.apply(db, [event]))[0]
    assert outcome.status != "failed", outcome.error
    await asyncio.sleep(0)  # let the after-commit push run
    await asyncio.sleep(0)
    return outcome.status


def offer_made(owner: str, offerer: str) -> Event[c.SwapOfferMade]:
    data = c.SwapOfferMade(offer_id=new_id(), swap_id=new_id(), community_id="c1", owner_id=owner, user_id=offerer)
    return new_event(data, subject=data.swap_id, community_id="c1", actor_id=offerer)


async def inbox(db: Database, user_id: str) -> list[Notification]:
    async with db.reader() as session:
        return list((await session.execute(select(Notification).where(Notification.user_id == user_id))).scalars())


async def test_an_event_makes_one_notification_per_recipient_however_often_it_comes(
    db: Database, handlers: EventHandlers, push: FakePush
) -> None:
    event = offer_made("owner", "offerer")
    assert await apply(db, handlers, event) == "applied"
    assert await apply(db, handlers, event) == "duplicate"
    [stored] = await inbox(db, "owner")
    assert (stored.kind, stored.source_event_id, stored.read_at) == ("swap_offer", event.id, None)
    assert push.sent == [("owner", Kind.swap_offer, stored.id)]
    assert await inbox(db, "offerer") == []  # no one hears of what they did themselves
    async with db.reader() as session:
        rows = (await session.execute(select(outbox).where(outbox.c.type == "gateway.notification.created"))).all()
    assert len(rows) == 1 and str(stored.id) in rows[0].payload


async def test_preferences_keep_a_kind_out_of_the_inbox_or_off_the_phone(
    db: Database, handlers: EventHandlers, push: FakePush
) -> None:
    async with db.session() as session:
        await service.set_preferences(
            session, user_id="quiet", changes={Kind.swap_offer: Channels(inbox=False, push=True)}
        )
        chosen = await service.set_preferences(
            session, user_id="nopush", changes={Kind.swap_offer: Channels(inbox=True, push=False)}
        )
        await session.commit()
    assert chosen[Kind.swap_offer] == Channels(inbox=True, push=False) and chosen[Kind.demand_alert] == Channels()
    await apply(db, handlers, offer_made("quiet", "x"))
    await apply(db, handlers, offer_made("nopush", "x"))
    assert await inbox(db, "quiet") == [] and len(await inbox(db, "nopush")) == 1
    assert push.sent == [("quiet", Kind.swap_offer, None)]


async def test_an_old_event_read_again_tells_no_one(db: Database, handlers: EventHandlers, push: FakePush) -> None:
    event = offer_made("owner", "offerer")
    old = event.model_copy(update={"time": utcnow() - STALE_AFTER - timedelta(minutes=1)})
    assert await apply(db, handlers, old) == "applied"
    assert await inbox(db, "owner") == [] and push.sent == []


async def test_demand_alerts_go_to_the_community_s_leaders_of_the_day(db: Database, handlers: EventHandlers) -> None:
    def member(schema: type[EventData], **data: Any) -> Event[Any]:
        return new_event(schema(community_id="c1", **data), subject="c1", community_id="c1")

    for event in (
        member(c.MemberJoined, user_id="first", role="leader"),
        member(c.MemberJoined, user_id="resident", role="resident"),
        member(c.MemberJoined, user_id="second", role="resident"),
        member(c.MemberRoleGranted, user_id="second", role="leader", granted_by="op"),
        member(c.MemberRoleGranted, user_id="resident", role="moderator", granted_by="first"),
        member(c.MemberJoined, user_id="third", role="leader"),
        member(c.MemberRoleRevoked, user_id="first", role="leader", revoked_by="op"),
        member(c.MemberLeft, user_id="third"),
    ):
        await apply(db, handlers, event)
    alert = m.DemandThresholdReached(
        community_id="c1",
        category="housekeeping",
        residents=5,
        threshold=5,
        window_start=utcnow(),
        window_days=14,
        suggested_providers=[],
    )
    await apply(db, handlers, new_event(alert, subject="c1", community_id="c1"))
    told = {user: len(await inbox(db, user)) for user in ("first", "second", "third", "resident")}
    assert told == {"first": 0, "second": 1, "third": 0, "resident": 0}


async def test_booking_updates_reach_the_resident_who_booked(db: Database, handlers: EventHandlers) -> None:
    fact = {
        "booking_id": new_id(),
        "provider_id": "p1",
        "offering_id": "f1",
        "community_id": "c1",
        "kind": "slot",
        "starts_at": utcnow() + timedelta(days=1),
        "ends_at": utcnow() + timedelta(days=1, hours=2),
    }

    def booking(data: o.BookingFact, actor: str) -> Event[Any]:
        return new_event(data, subject=data.booking_id, community_id="c1", actor_id=actor)

    await apply(db, handlers, booking(o.BookingRequested(**fact, note="", price_fen=8000), "resident"))
    await apply(db, handlers, booking(o.BookingConfirmed(**fact), "provider-owner"))
    cancelled = o.BookingCancelled(**fact, cancelled_by="resident", reason="有事", fee_fen=0)
    await apply(db, handlers, booking(cancelled, "resident"))  # their own doing: not told
    assert [n.title for n in await inbox(db, "resident")] == ["预约已确认"]
    assert await inbox(db, "provider-owner") == []


async def test_read_notifications_are_pruned_when_old_unread_ones_stay(db: Database, handlers: EventHandlers) -> None:
    for _ in range(3):
        await apply(db, handlers, offer_made("owner", "x"))
    first, second, third = await inbox(db, "owner")
    async with db.session() as session:
        await service.mark_read(session, user_id="owner", notification_id=first.id or 0)
        await service.mark_read(session, user_id="owner", notification_id=second.id or 0)
        await session.commit()
        count = await service.unread_count(session, user_id="owner")
    assert (count.total, count.by_kind) == (1, {Kind.swap_offer: 1})
    assert await service.prune(db, now=utcnow(), keep=timedelta(days=90)) == 0
    assert await service.prune(db, now=utcnow() + timedelta(days=91), keep=timedelta(days=90)) == 2
    assert [n.id for n in await inbox(db, "owner")] == [third.id]


async def test_a_stream_that_falls_behind_is_cut_off() -> None:
    stream = LiveStream(size=2)
    stream.offer(b"1")
    stream.offer(b"2")
    assert not stream.overflowed
    stream.offer(b"3")
    stream.offer(b"4")
    assert stream.overflowed
    assert await stream.next() is None  # only the end marker: the app resumes from the inbox
