"""Crashes and NATS restarts with the real services: nothing lost, nothing applied twice."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from deploy.client import until
from deploy.processes import LocalSystem
from shared.bus.tables import inbox, outbox
from shared.db import Database
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.factories import Neighbourhood


@pytest.fixture
async def own_system(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    """A system of this test's own, since the test breaks it."""
    async with running_system(tmp_path, databases) as running:
        yield running


async def scalar(url: str, query) -> int:  # type: ignore[no-untyped-def]
    db = Database(url)
    try:
        async with db.session() as session:
            return int((await session.execute(query)).scalar_one())
    finally:
        await db.dispose()


async def infant_weight(buyer, community_id: str) -> float | None:  # type: ignore[no-untyped-def]
    profile = (await buyer.request("GET", "/api/v1/profiles/me", params={"community_id": community_id})).json()
    return next((p["weight"] for p in profile if p["topic"] == "infant"), None)


async def test_sigkill_after_commit_before_publish_delivers_exactly_once(own_system: LocalSystem) -> None:
    system = own_system
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)  # one deal published and delivered to matching
        system.stop_process("nats")  # nothing orders commits from now on can be published
        await factories.deal(n.leader, n.community_id, n.product["id"])

        orders_db, matching_db = system.database_urls["orders"], system.database_urls["matching"]
        pending = (
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.published_at.is_(None), outbox.c.type == "orders.deal.published")
        )
        assert await scalar(orders_db, pending) == 1, "the deal's event is committed and not yet published"

        system.stop_process("orders", signal.SIGKILL)
        system.start_nats()
        system.start_service("orders")
        await asyncio.to_thread(system.wait_ready, ["orders", "matching"], 30)

        applied = select(func.count()).select_from(inbox).where(inbox.c.type == "orders.deal.published")

        async def both_deals_known() -> bool:
            return await scalar(matching_db, applied) == 2

        await until(both_deals_known, timeout=30)
        await asyncio.sleep(1.5)  # room for a wrong second application to show
        assert await scalar(matching_db, applied) == 2
        assert await scalar(orders_db, pending) == 0


async def test_services_reconnect_after_nats_restarts_during_traffic(own_system: LocalSystem) -> None:
    system = own_system
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        buyers = [n.resident] + [await factories.person(gateway, system) for _ in range(3)]
        for b in buyers[1:]:
            await factories.join(b, n.community["invite_code"])

        async def traffic() -> list[dict[str, object]]:
            paid = []
            for b in buyers:
                paid.append(await factories.paid_order(b, n.deal["id"]))
                await asyncio.sleep(0.2)
            return paid

        running = asyncio.create_task(traffic())
        await asyncio.sleep(0.3)
        system.stop_process("nats")
        await asyncio.sleep(1.0)
        system.start_nats()
        orders = await running
        assert len(orders) == 4
        await asyncio.to_thread(system.wait_ready, list(system.processes.keys() - {"nats"}), 30)

        # Every purchase reached matching once: each buyer's profile has exactly one purchase's weight.
        for b in buyers:
            weight = await until(lambda b=b: infant_weight(b, n.community_id), timeout=30)
            assert 0.99 < weight <= 1.0
        # And new events flow end to end after the restart: a new product becomes sellable.
        fresh = await factories.product(n.leader, n.community_id, name="新疆哈密瓜", tags=["fruit"])
        await factories.deal(n.leader, n.community_id, fresh["id"])
