"""The server-sent event stream against a real, migrated database, live messages handed to the hub as
its NATS subscription would (no NATS here; tests/e2e/test_notifications.py has it): the resume from
the inbox after Last-Event-ID, a notification arriving both ways sent once, heartbeats, and the end
of a stream that fell behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.aio.msg import Msg

from services.gateway.models import metadata
from services.gateway.notifications import service
from services.gateway.notifications.builders import build
from services.gateway.notifications.live import Hub, subject_of
from services.gateway.notifications.models import NotificationPublic
from services.gateway.notifications.routes import RESUME_PAGE, frames
from shared import migrations
from shared.db import Database
from shared.events import new_event
from shared.events.schemas.community import SwapOfferMade
from shared.models import new_id
from tests.databases import Databases


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    database = Database(await databases.new("gateway"))
    await migrations.upgrade(database, "gateway", metadata)
    yield database
    await database.dispose()


async def store(db: Database, user_id: str, n: int) -> list[NotificationPublic]:
    stored = []
    async with db.session() as session:
        for _ in range(n):
            data = SwapOfferMade(offer_id=new_id(), swap_id=new_id(), community_id="c1", owner_id=user_id, user_id="x")
            event = new_event(data, subject=data.swap_id, community_id="c1", actor_id="x")
            delivered = await service.deliver(session, event=event, notice=build(data), recipients=[user_id])
            stored += [d.notification for d in delivered if d.notification]
        await session.commit()
    return stored


async def route(hub: Hub, user_id: str, notification: NotificationPublic) -> None:
    await hub.route(Msg(None, subject=subject_of(user_id), data=notification.model_dump_json().encode()))  # type: ignore[arg-type]


def ids(sent: list[str]) -> list[int]:
    return [int(frame.split("\n")[0].removeprefix("id: ")) for frame in sent if frame.startswith("id: ")]


async def take(stream: AsyncIterator[str], n: int) -> list[str]:
    return [await anext(stream) for _ in range(n)]


async def test_a_reconnect_gets_what_it_missed_then_live_ones_once(db: Database) -> None:
    hub = Hub(queue_size=8)
    before, *missed = await store(db, "owner", RESUME_PAGE + 2)  # more than one page to resume
    stream = frames(hub, db, user_id="owner", after=before.id, heartbeat=5)
    assert await anext(stream) == "retry: 3000\n\n"  # listening now
    later = (await store(db, "owner", 1))[0]
    await route(hub, "owner", missed[-1])  # stored before the reconnect, also heard live: sent once
    await route(hub, "owner", later)
    await route(hub, "someone-else", later)
    sent = await take(stream, len(missed) + 1)
    assert ids(sent) == [n.id for n in [*missed, later]]
    assert '"kind":"swap_offer"' in sent[0] and sent[0].startswith(f"id: {missed[0].id}\nevent: notification\ndata: ")
    await stream.aclose()


async def test_an_idle_stream_sends_heartbeats(db: Database) -> None:
    stream = frames(Hub(queue_size=8), db, user_id="owner", after=None, heartbeat=0.05)
    assert await take(stream, 3) == ["retry: 3000\n\n", ": heartbeat\n\n", ": heartbeat\n\n"]
    await stream.aclose()


async def test_a_stream_that_falls_behind_ends(db: Database) -> None:
    hub = Hub(queue_size=2)
    stream = frames(hub, db, user_id="owner", after=None, heartbeat=5)
    await anext(stream)
    notifications = await store(db, "owner", 3)
    for notification in notifications:
        await route(hub, "owner", notification)
    rest: list[Any] = [frame async for frame in stream]
    assert rest == []  # closed at once; the app reconnects with Last-Event-ID and reads them from the inbox
    assert hub._streams == {}
