"""A migrated community database with one community and its leader, for tests of the service functions
(real database: SQLite, or PostgreSQL when LINLI_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.community.communities import service as communities
from services.community.communities.models import CommunityCreate
from services.community.models import metadata
from shared.auth import LEADER, Principal
from shared.db import Database
from shared.migrations import upgrade
from shared.models import new_id
from tests.community.place import Place
from tests.databases import Databases


@pytest.fixture
async def place(databases: Databases) -> AsyncIterator[Place]:
    db = Database(await databases.new("community"))
    await upgrade(db, "community", metadata)
    founder = Principal(user_id=new_id())
    async with db.session() as session:
        community = await communities.create_community(
            session, principal=founder, data=CommunityCreate(name="测试小区")
        )
        await session.commit()
    yield Place(db, community.id, Principal(user_id=founder.user_id, roles={community.id: [LEADER]}))
    await db.dispose()
