"""One deal for several communities: a leader of each publishes it once, with one stock; members of
any of them see and buy it, each order belongs to the buyer's community; nobody else gets in."""

from __future__ import annotations

from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Neighbourhood


async def order(buyer: Session, deal_id: str, **extra: Any) -> httpx.Response:
    return await buyer.request("POST", "/api/v1/orders", json={"deal_id": deal_id, "quantity": 1, **extra})


async def listed(who: Session, community_id: str) -> list[str]:
    response = await who.request("GET", "/api/v1/deals", params={"community_id": community_id})
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()]


async def test_a_deal_for_two_communities_shares_its_stock(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)  # 阳光花园, led by n.leader
    other = await factories.community(n.leader, name="翠湖小区")  # led by the same leader
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, other["invite_code"])
    both = await factories.person(gateway, system)  # lives in one, works in the other
    await factories.join(both, n.community["invite_code"])
    await factories.join(both, other["invite_code"])
    their_gate = await factories.pickup_point(n.leader, other["id"], name="翠湖北门")

    deal = await factories.deal(
        n.leader, n.community_id, n.product["id"], stock=3, also_for=[other["id"]], pickup_point_ids=[their_gate["id"]]
    )
    assert deal["also_for"] == [other["id"]]
    assert deal["id"] in await listed(n.resident, n.community_id)
    assert deal["id"] in await listed(neighbour, other["id"])
    assert (await neighbour.request("GET", f"/api/v1/deals/{deal['id']}")).status_code == 200

    mine = await factories.paid_order(n.resident, deal["id"])
    theirs = await factories.paid_order(neighbour, deal["id"])
    assert (mine["community_id"], theirs["community_id"]) == (n.community_id, other["id"])
    chosen = await factories.paid_order(both, deal["id"], community_id=other["id"])
    assert chosen["community_id"] == other["id"]
    sold_out = await order(both, deal["id"])
    assert assert_problem(sold_out, 409)["available"] == 0  # one stock for both communities
    view = (await n.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()
    assert (view["sold"], view["buyers"], view["phase"]) == (3, 3, "sold_out")

    # The leader hands over at the other community's point, to buyers of either community.
    codes = [mine["pickup_code"], theirs["pickup_code"]]
    handed = await n.leader.request(
        "POST", "/api/v1/pickups", json={"pickup_point_id": their_gate["id"], "codes": codes}
    )
    assert [r["outcome"] for r in handed.json()] == ["picked_up", "picked_up"]
    picking = await n.leader.request(
        "GET", f"/api/v1/deals/{deal['id']}/picking-list", params={"pickup_point_id": their_gate["id"]}
    )
    assert [line["order_id"] for line in picking.json()["lines"]] == [mine["id"], theirs["id"], chosen["id"]]

    async def announced() -> list[Any]:
        return await published(system, "orders.deal.published", subject=deal["id"])

    [event] = await until(announced)
    assert (event.data.community_id, event.data.community_ids) == (n.community_id, [n.community_id, other["id"]])


async def test_nobody_else_sees_or_buys_and_a_leader_serves_only_what_they_lead(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    other = await factories.community(n.leader, name="翠湖小区")
    stranger = await factories.person(gateway, system)
    elsewhere = await factories.community(stranger, name="别的小区")
    outsider = await factories.person(gateway, system)
    await factories.join(outsider, elsewhere["invite_code"])
    await factories.join(n.resident, elsewhere["invite_code"])  # a member of a community the deal does not serve
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], also_for=[other["id"]])

    assert_problem(await outsider.request("GET", f"/api/v1/deals/{deal['id']}"), 403)
    assert_problem(await order(outsider, deal["id"]), 403)
    assert deal["id"] not in await listed(outsider, elsewhere["id"])
    assert_problem(await order(n.resident, deal["id"], community_id=elsewhere["id"]), 403)
    assert_problem(await order(n.resident, deal["id"], community_id=other["id"]), 403)  # served, not theirs
    assert_problem(await order(n.resident, deal["id"], community_id="not-an-id"), 422)

    their_point = await factories.pickup_point(stranger, elsewhere["id"])
    before = await listed(n.leader, n.community_id)
    for bad, status in (
        ({"also_for": [elsewhere["id"]]}, 403),  # a community the leader does not lead
        ({"also_for": [other["id"], other["id"]]}, 422),
        ({"also_for": [n.community_id]}, 422),
        ({"also_for": ["not-an-id"]}, 422),
        ({"also_for": [other["id"]], "pickup_point_ids": [their_point["id"]]}, 422),
        ({"also_for": [UNKNOWN_ID]}, 403),
    ):
        body = factories.deal_body(n.community_id, n.product["id"], **bad)
        assert_problem(await n.leader.request("POST", "/api/v1/deals", json=body), status)
    assert await listed(n.leader, n.community_id) == before
    assert await listed(n.leader, other["id"]) == [deal["id"]]
    assert await listed(stranger, elsewhere["id"]) == []
    # The deal's picking list is not for a point of a community it does not serve.
    foreign_list = await stranger.request(
        "GET", f"/api/v1/deals/{deal['id']}/picking-list", params={"pickup_point_id": their_point["id"]}
    )
    assert_problem(foreign_list, 404)
