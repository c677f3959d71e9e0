"""Orders' read model of members' names, fed by community's events through the real handlers and a
real database: events may come late, twice or out of order, or not yet at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.orders.handlers import handlers
from services.orders.members import service as members
from services.orders.models import metadata
from shared import migrations
from shared.db import Database
from shared.events import Event, EventData, new_event
from shared.events.schemas.community import MemberJoined, MemberRenamed, default_display_name
from tests.databases import Databases

COMMUNITY, USER = "c" * 32, "u" * 32


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    database = Database(await databases.new("orders"))
    await migrations.upgrade(database, "orders", metadata)
    yield database
    await database.dispose()


def at(event: Event[EventData], minutes: int) -> Event[EventData]:
    return event.model_copy(update={"time": datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minutes)})


def joined(name: str | None, minutes: int) -> Event[EventData]:
    data = MemberJoined(community_id=COMMUNITY, user_id=USER, role="resident", display_name=name)
    return at(new_event(data, subject=COMMUNITY, community_id=COMMUNITY), minutes)


def renamed(name: str, minutes: int) -> Event[EventData]:
    data = MemberRenamed(community_id=COMMUNITY, user_id=USER, display_name=name)
    return at(new_event(data, subject=COMMUNITY, community_id=COMMUNITY), minutes)


async def name_of(db: Database) -> str:
    async with db.reader() as session:
        return (await members.names(session, [(COMMUNITY, USER)]))[COMMUNITY, USER]


async def test_a_member_not_heard_of_yet_has_the_default_name(db: Database) -> None:
    assert await name_of(db) == default_display_name(USER)
    async with db.reader() as session:
        assert await members.name_if_known(session, community_id=COMMUNITY, user_id=USER) is None
        assert not await members.is_member(session, user_id=USER, community_ids=[COMMUNITY])


async def test_the_newest_name_wins_whatever_order_the_events_arrive_in(db: Database) -> None:
    await handlers.apply(db, [renamed("3栋 王奶奶", minutes=5)])  # the join is still on its way
    assert await name_of(db) == "3栋 王奶奶"
    late_join = joined("3栋 王阿姨", minutes=1)
    await handlers.apply(db, [late_join])
    assert await name_of(db) == "3栋 王奶奶"
    await handlers.apply(db, [late_join])  # redelivered: a no-op
    await handlers.apply(db, [renamed("王阿姨", minutes=9), renamed("老王", minutes=7)])
    assert await name_of(db) == "王阿姨"
    async with db.reader() as session:
        assert await members.is_member(session, user_id=USER, community_ids=["x" * 32, COMMUNITY])


async def test_a_join_from_before_names_gives_the_default(db: Database) -> None:
    await handlers.apply(db, [joined(None, minutes=1)])
    assert await name_of(db) == default_display_name(USER)
    async with db.reader() as session:
        assert await members.name_if_known(session, community_id=COMMUNITY, user_id=USER) == default_display_name(USER)
