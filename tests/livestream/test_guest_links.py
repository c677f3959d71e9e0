"""Guest links against a real database: they expire, and they work once even when two people race."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.livestream.guests import service as guests
from services.livestream.guests.models import GuestInvite, GuestKind
from services.livestream.models import metadata
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSessionCreate, SessionKind
from shared import migrations
from shared.auth import LEADER, Principal
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.models import new_id
from tests.databases import Databases


async def test_guest_links_expire_and_work_once(databases: Databases) -> None:
    db = Database(await databases.new("livestream"))
    await migrations.upgrade(db, "livestream", metadata)
    community = new_id()
    host = Principal(user_id=new_id(), roles={community: [LEADER]})
    talk = LiveSessionCreate(
        community_id=community,
        title="儿科医生聊辅食",
        kind=SessionKind.expert_talk,
        planned_start=datetime.now(UTC) + timedelta(days=1),
    )
    expert = GuestInvite(kind=GuestKind.expert, name="王医生")
    async with db.session() as session:
        live = await sessions.schedule_session(session, principal=host, data=talk)
        invite = {"principal": host, "session_id": live.id, "data": expert, "link_base": "https://linli.example.com"}
        expired = await guests.invite(session, **invite, ttl=timedelta(seconds=-1))
        fresh = await guests.invite(session, **invite, ttl=timedelta(hours=1))
        await session.commit()

    async def redeem(token: str) -> bool:
        async with db.session() as session:
            try:
                await guests.redeem(session, principal=Principal(user_id=new_id()), session_id=live.id, token=token)
            except Conflict:
                return False
            await session.commit()
            return True

    assert await redeem(expired.token) is False
    assert sorted(await asyncio.gather(redeem(fresh.token), redeem(fresh.token))) == [False, True]
    with pytest.raises(NotFound):
        await redeem("not-the-token-at-all")
    await db.dispose()
