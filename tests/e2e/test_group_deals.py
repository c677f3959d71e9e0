"""成团: a deal with a minimum group size that is not reached by closing time refunds every paid
order; one that is reached keeps them. The deal clock announces the window's moments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.factories import Neighbourhood


@pytest.fixture
async def fast_clock(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    async with running_system(tmp_path, databases, LINLI_ORDERS_CLOCK_SECONDS="0.3") as running:
        yield running


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
        assert (failed["phase"], failed["sold"]) in (("closed", 0), ("fulfilled", 0))  # all refunded: nothing due
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


async def test_a_group_that_reaches_a_lower_tier_gets_the_difference_back(fast_clock: LocalSystem) -> None:
    system = fast_clock
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        closes = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
        tiers = [{"min_buyers": 2, "price_fen": 3500}, {"min_buyers": 5, "price_fen": 2990}]
        deal = await factories.deal(n.leader, n.community_id, n.product["id"], price_tiers=tiers, closes_at=closes)
        assert (deal["current_price_fen"], deal["buyers"]) == (3990, 0)
        neighbour = await factories.person(gateway, system)
        await factories.join(neighbour, n.community["invite_code"])
        first = await factories.paid_order(n.resident, deal["id"], quantity=2)
        await factories.paid_order(neighbour, deal["id"])
        live = (await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()
        assert (live["buyers"], live["current_price_fen"]) == (2, 3500)

        async def settled() -> dict[str, object] | None:
            order = (await n.resident.request("GET", f"/api/v1/orders/{first['id']}")).json()
            return order if order["unit_price_fen"] == 3500 else None

        order = await until(settled, timeout=15)
        assert (order["status"], order["amount_fen"]) == ("paid", 7000)  # 2 × 4.90 元 went back

        not_lower = [{"min_buyers": 2, "price_fen": 4500}]
        out_of_order = [{"min_buyers": 3, "price_fen": 3000}, {"min_buyers": 2, "price_fen": 2000}]
        for bad in (not_lower, out_of_order):
            body = factories.deal_body(n.community_id, n.product["id"], price_tiers=bad)
            assert (await n.leader.request("POST", "/api/v1/deals", json=body)).status_code == 422
