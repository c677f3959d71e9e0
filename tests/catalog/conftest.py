"""A catalog database of a test's own, migrated, knowing one community (tests.catalog.directory_db.COMMUNITY)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.catalog.directory.models import KnownCommunity
from services.catalog.models import metadata
from shared.db import Database
from shared.migrations import upgrade
from tests.catalog.directory_db import COMMUNITY
from tests.databases import Databases


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    db = Database(await databases.new("catalog"))
    await upgrade(db, "catalog", metadata)
    async with db.session() as session:
        session.add(KnownCommunity(id=COMMUNITY, name="时钟小区"))
        await session.commit()
    yield db
    await db.dispose()
