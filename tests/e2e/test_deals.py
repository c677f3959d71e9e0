"""A deal's sales window: scheduled deals are the leader's until they open; the phase follows the
clock and the stock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Neighbourhood


async def test_a_scheduled_deal_is_the_leaders_until_it_opens(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    opens = datetime.now(UTC) + timedelta(hours=2)
    later = await factories.deal(n.leader, n.community_id, n.product["id"], opens_at=opens.isoformat())
    assert later["phase"] == "scheduled"
    listed_for_leader = (await n.leader.request("GET", "/api/v1/deals", params={"community_id": n.community_id})).json()
    assert later["id"] in [d["id"] for d in listed_for_leader]
    listed = (await n.resident.request("GET", "/api/v1/deals", params={"community_id": n.community_id})).json()
    assert [d["id"] for d in listed] == [n.deal["id"]]
    assert_problem(await n.resident.request("GET", f"/api/v1/deals/{later['id']}"), 404)
    early = await n.resident.request("POST", "/api/v1/orders", json={"deal_id": later["id"], "quantity": 1})
    assert_problem(early, 404)  # residents cannot even see it yet


async def test_the_phase_follows_the_stock_and_bad_windows_are_refused(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    single = await factories.deal(n.leader, n.community_id, n.product["id"], stock=1)
    assert single["phase"] == "open"
    await factories.paid_order(n.resident, single["id"])
    after = (await n.leader.request("GET", f"/api/v1/deals/{single['id']}")).json()
    assert (after["phase"], after["sold"]) == ("sold_out", 1)

    now = datetime.now(UTC)
    for window in (
        {"opens_at": (now + timedelta(days=3)).isoformat(), "closes_at": (now + timedelta(days=2)).isoformat()},
        {"opens_at": "2099-01-01T00:00:00"},  # no timezone
        {"price_fen": 0},
        {"stock": -5},
        {"per_person_limit": 0},
    ):
        body = factories.deal_body(n.community_id, n.product["id"], **window)
        assert_problem(await n.leader.request("POST", "/api/v1/deals", json=body), 422)


async def test_a_past_deal_is_a_template_for_the_next(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    gate = await factories.pickup_point(n.leader, n.community_id)
    past = await factories.deal(
        n.leader, n.community_id, n.product["id"], stock=30, pickup_point_ids=[gate["id"]], commission_rate_bps=800
    )
    template = (await n.leader.request("GET", f"/api/v1/deals/{past['id']}/template")).json()
    assert template["pickup_point_ids"] == [gate["id"]] and template["commission_rate_bps"] == 800
    closes = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    body = {k: v for k, v in template.items() if k != "product_name"} | {"closes_at": closes, "stock": 40}
    again = await n.leader.request("POST", "/api/v1/deals", json=body)
    assert again.status_code == 201 and again.json()["stock"] == 40 and again.json()["price_fen"] == past["price_fen"]
    assert_problem(await n.resident.request("GET", f"/api/v1/deals/{past['id']}/template"), 403)


async def test_the_chain_lists_buyers_in_order_and_masks_neighbours(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, n.community["invite_code"])
    await factories.paid_order(n.resident, n.deal["id"], quantity=2)
    await factories.paid_order(neighbour, n.deal["id"], quantity=1)
    await factories.paid_order(n.resident, n.deal["id"], quantity=1)
    path = f"/api/v1/deals/{n.deal['id']}/chain"

    mine = (await n.resident.request("GET", path)).json()
    assert [(e["seq"], e["buyer"], e["mine"], e["quantity"]) for e in mine] == [
        (1, n.resident.user_id, True, 2),
        (2, "邻居 2", False, 1),
        (3, n.resident.user_id, True, 1),
    ]
    leaders = (await n.leader.request("GET", path)).json()
    assert [e["buyer"] for e in leaders] == [n.resident.user_id, neighbour.user_id, n.resident.user_id]
    stranger = await factories.person(gateway, system)
    assert_problem(await stranger.request("GET", path), 403)
