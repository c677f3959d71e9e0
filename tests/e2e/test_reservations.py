"""Reservations: a placed order holds its units until its payment deadline; unpaid, they go back on
sale at once (no sweeper); a payment that arrives after the units were sold is refunded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Neighbourhood

WINDOW = 3.0  # seconds a reservation lasts
PAYMENT_DELAY = 4.0  # the provider confirms after the window, while the next order still holds the units


@pytest.fixture
async def slow_payments(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    async with running_system(
        tmp_path,
        databases,
        LINLI_ORDERS_PAYMENT_WINDOW_SECONDS=str(int(WINDOW)),
        LINLI_ORDERS_PAYMENT_CONFIRM_DELAY=str(PAYMENT_DELAY),
    ) as running:
        yield running


async def test_an_expired_reservation_frees_its_units_and_a_late_payment_is_refunded(
    slow_payments: LocalSystem,
) -> None:
    system = slow_payments
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        deal = await factories.deal(n.leader, n.community_id, n.product["id"], stock=2, per_person_limit=2)
        other = await factories.person(gateway, system)
        await factories.join(other, n.community["invite_code"])

        async def view() -> dict[str, object]:
            return dict((await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json())

        first = await n.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 2})
        assert first.status_code == 201 and first.json()["status"] == "pending_payment"
        assert (await view())["available"] == 0
        refused = await other.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 2})
        assert refused.status_code == 409

        await asyncio.sleep(WINDOW + 0.2)  # unpaid: the hold is over, with no sweeper involved
        assert (await view())["available"] == 2
        mine = (await n.resident.request("GET", f"/api/v1/orders/{first.json()['id']}")).json()
        assert mine["status"] == "expired"
        second = await other.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 2})
        assert second.status_code == 201

        async def settled() -> bool:
            a = (await n.resident.request("GET", f"/api/v1/orders/{first.json()['id']}")).json()
            b = (await other.request("GET", f"/api/v1/orders/{second.json()['id']}")).json()
            return a["status"] == "refunded" and b["status"] == "paid"

        # The first payment lands when the units are held by the second order: refunded, not oversold.
        await until(settled, timeout=15)
        final = await view()
        assert (final["sold"], final["available"]) == (2, 0)


async def test_the_per_person_limit_holds_under_concurrent_orders(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], stock=50, per_person_limit=5)
    results = await asyncio.gather(
        *(n.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 2}) for _ in range(6))
    )
    assert sorted(r.status_code for r in results) == [201, 201, 409, 409, 409, 409]
    assert (await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()["available"] == 46


async def test_a_cancelled_order_frees_its_units_and_a_payment_for_it_is_refunded(slow_payments: LocalSystem) -> None:
    system = slow_payments
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        deal = await factories.deal(n.leader, n.community_id, n.product["id"], stock=1)
        placed = (
            await n.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 1})
        ).json()
        assert (await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()["available"] == 0
        assert_problem(await n.leader.request("POST", f"/api/v1/orders/{placed['id']}/cancel"), 403)  # not the buyer
        cancelled = await n.resident.request("POST", f"/api/v1/orders/{placed['id']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert (await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()["available"] == 1

        async def refunded() -> bool:
            order = (await n.resident.request("GET", f"/api/v1/orders/{placed['id']}")).json()
            return bool(order["status"] == "refunded")

        await until(refunded, timeout=15)  # the provider's payment arrived for a cancelled order
        final = (await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()
        assert (final["sold"], final["available"]) == (0, 1)


async def test_a_payment_of_the_wrong_amount_is_refunded_and_sells_nothing(slow_payments: LocalSystem) -> None:
    system = slow_payments
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        deal = await factories.deal(n.leader, n.community_id, n.product["id"], stock=3)
        order = (await n.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 1})).json()
        short = factories.payment_callback(
            order, message_id="m_short", payment_id="p", amount_fen=order["amount_fen"] - 1
        )
        assert (await gateway.post("/webhooks/payments", **short)).status_code == 204  # received; judged by orders
        await factories.until_status(n.resident, order["id"], "refunded")
        final = (await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()
        assert (final["sold"], final["available"]) == (0, 3)


async def test_paid_and_picked_up_orders_cannot_be_cancelled(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    gate = await factories.pickup_point(n.leader, n.community_id)
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"]])
    order = await factories.paid_order(n.resident, deal["id"])
    assert_problem(await n.resident.request("POST", f"/api/v1/orders/{order['id']}/cancel"), 409)
    handed = await n.leader.request(
        "POST", "/api/v1/pickups", json={"pickup_point_id": gate["id"], "codes": [order["pickup_code"]]}
    )
    assert handed.json()[0]["outcome"] == "picked_up"
    assert_problem(await n.resident.request("POST", f"/api/v1/orders/{order['id']}/cancel"), 409)
    assert (await n.resident.request("GET", f"/api/v1/orders/{order['id']}")).json()["status"] == "picked_up"


@pytest.fixture
async def quick_undo(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    async with running_system(tmp_path, databases, LINLI_ORDERS_PICKUP_UNDO_SECONDS="1") as running:
        yield running


async def test_a_hand_over_can_be_undone_only_within_its_window(quick_undo: LocalSystem) -> None:
    system = quick_undo
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        gate = await factories.pickup_point(n.leader, n.community_id)
        deal = await factories.deal(n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"]])
        order = await factories.paid_order(n.resident, deal["id"])
        handed = {"pickup_point_id": gate["id"], "codes": [order["pickup_code"]]}
        assert (await n.leader.request("POST", "/api/v1/pickups", json=handed)).json()[0]["outcome"] == "picked_up"
        await asyncio.sleep(1.5)
        late = await n.leader.request("POST", f"/api/v1/pickups/{order['id']}/undo")
        assert_problem(late, 409)
        assert (await n.resident.request("GET", f"/api/v1/orders/{order['id']}")).json()["status"] == "picked_up"
