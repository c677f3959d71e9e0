"""成团: a deal with a minimum group size that is not reached by closing time refunds every paid
order; one that is reached keeps them. The deal clock announces the window's moments."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.conftest import start_system
from tests.databases import Databases
from tests.factories import Neighbourhood


@pytest.fixture
async def fast_clock(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    running = await start_system(tmp_path, databases, LINLI_ORDERS_CLOCK_SECONDS="0.3")
    yield running
    await asyncio.to_thread(running.stop)


async def test_a_group_that_misses_its_minimum_is_refunded(fast_clock: LocalSystem) -> None:
    system = fast_clock
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        closes = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
        missed = await factories.deal(n.leader, n.community_id, n.product["id"], min_group_size=2, closes_at=closes)
        reached = await factories.deal(n.leader, n.community_id, n.product["id"], min_group_size=2, closes_at=closes)
        neighbour = await factories.person(gateway, system)
        await factories.join(neighbour, n.community["invite_code"])
        alone = await factories.paid_order(n.resident, missed["id"], quantity=2)
        together = [
            await factories.paid_order(n.resident, reached["id"]),
            await factories.paid_order(neighbour, reached["id"]),
        ]

        async def status(buyer, order_id: str) -> str:  # type: ignore[no-untyped-def]
            return str((await buyer.request("GET", f"/api/v1/orders/{order_id}")).json()["status"])

        async def refunded() -> bool:
            return await status(n.resident, alone["id"]) == "refunded"

        await until(refunded, timeout=15)
        failed = (await n.leader.request("GET", f"/api/v1/deals/{missed['id']}")).json()
        assert (failed["phase"], failed["sold"]) == ("closed", 0)
        assert [await status(b, o["id"]) for b, o in zip([n.resident, neighbour], together, strict=True)] == [
            "paid",
            "paid",
        ]
        kept = (await n.leader.request("GET", f"/api/v1/deals/{reached['id']}")).json()
        assert (kept["phase"], kept["sold"]) == ("closed", 2)


async def test_a_minimum_above_the_stock_is_refused(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    body = factories.deal_body(n.community_id, n.product["id"], stock=3, min_group_size=5)
    response = await n.leader.request("POST", "/api/v1/deals", json=body)
    assert response.status_code == 422
