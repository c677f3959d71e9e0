"""A migrated matching database fed through its own handlers, for tests of the service functions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.matching.settings import Settings
from tests.databases import Databases
from tests.matching.feed import Matching


@pytest.fixture
async def matching(databases: Databases) -> AsyncIterator[Matching]:
    m = await Matching.open(
        await databases.new("matching"), Settings(demand_default_threshold=3, demand_thresholds={"repair": 2})
    )
    yield m
    await m.close()
