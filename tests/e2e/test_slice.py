"""The thin slice through every service, over HTTP through the gateway and over JetStream."""

from __future__ import annotations

import asyncio

import httpx

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.factories import Neighbourhood


async def test_order_paid_flows_to_recommendations_with_a_reason(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    assert n.resident.tokens["roles"] == {n.community_id: ["resident"]}

    placed = await n.resident.request(
        "POST", "/api/v1/orders", json={"deal_id": n.deal["id"], "quantity": 2}, headers={"X-Correlation-ID": "slice-1"}
    )
    assert placed.status_code == 201, placed.text
    assert placed.headers["x-correlation-id"] == "slice-1"
    assert placed.json()["status"] == "pending_payment"
    assert placed.json()["amount_fen"] == 2 * 3990

    async def paid() -> bool:
        order = (await n.resident.request("GET", f"/api/v1/orders/{placed.json()['id']}")).json()
        return bool(order["status"] == "paid")

    await until(paid)  # the simulated provider confirmed through the gateway's signed webhook

    async def recommended() -> list[dict[str, object]] | None:
        r = await n.resident.request("GET", "/api/v1/recommendations", params={"community_id": n.community_id})
        items = r.json()
        return items if any(i["reason"]["type"] == "bought_related" for i in items) else None

    items = await until(recommended)
    related = next(i for i in items if i["reason"]["type"] == "bought_related")
    assert related == {
        "kind": "session",
        "id": n.session["id"],
        "title": n.session["title"],
        "score": related["score"],
        "reason": {"type": "bought_related", "seed": "有机婴儿米粉", "text": "because you bought 有机婴儿米粉"},
    }
    assert n.deal["id"] not in [i["id"] for i in items], "never recommend what the resident already bought"

    profile = (await n.resident.request("GET", "/api/v1/profiles/me", params={"community_id": n.community_id})).json()
    assert {"infant", "parenting"} <= {p["topic"] for p in profile}
    infant = next(p for p in profile if p["topic"] == "infant")
    assert 0.99 < infant["weight"] <= 1.0, "one purchase counts once"


async def test_home_feed_composes_three_services(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    feed = (await n.resident.request("GET", "/api/v1/feed", params={"community_id": n.community_id})).json()
    assert feed["unavailable"] == []
    assert [s["id"] for s in feed["sessions"]] == [n.session["id"]]
    assert [d["id"] for d in feed["deals"]] == [n.deal["id"]]
    assert isinstance(feed["recommendations"], list)


async def test_home_feed_degrades_when_a_service_is_down(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    system.stop_process("matching")
    try:
        response = await n.resident.request("GET", "/api/v1/feed", params={"community_id": n.community_id})
        assert response.status_code == 200
        feed = response.json()
        assert feed["unavailable"] == ["recommendations"]
        assert feed["recommendations"] is None
        assert [d["id"] for d in feed["deals"]] == [n.deal["id"]]
        # A resource owned by the stopped service: a clear 503 problem, not a 500.
        direct = await n.resident.request("GET", "/api/v1/recommendations", params={"community_id": n.community_id})
        assert direct.status_code == 503
        assert direct.headers["content-type"] == "application/problem+json"
    finally:
        system.start_service("matching")
        await asyncio.to_thread(system.wait_ready, ["matching"])


async def test_stock_holds_under_concurrent_orders(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    scarce = await factories.deal(n.leader, n.community_id, n.product["id"], stock=3, per_person_limit=1)
    buyers = [n.resident] + [await factories.person(gateway, system) for _ in range(5)]
    for buyer in buyers[1:]:
        await factories.join(buyer, n.community["invite_code"])
    results = await asyncio.gather(
        *(b.request("POST", "/api/v1/orders", json={"deal_id": scarce["id"], "quantity": 1}) for b in buyers)
    )
    assert sorted(r.status_code for r in results) == [201, 201, 201, 409, 409, 409]
    assert (await n.leader.request("GET", f"/api/v1/deals/{scarce['id']}")).json()["available"] == 0

    async def all_paid() -> dict[str, object] | None:
        deal = (await n.leader.request("GET", f"/api/v1/deals/{scarce['id']}")).json()
        return deal if deal["sold"] == 3 else None

    assert (await until(all_paid))["available"] == 0


async def test_api_docs_show_every_resource_the_apps_use(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/feed",
        "/api/v1/orders",
        "/api/v1/deals/{deal_id}",
        "/api/v1/recommendations",
    ):
        assert path in paths, path
    assert not any("/internal/" in p or "/admin/" in p or p.endswith("healthz") for p in paths)
    assert "OrderCreate" in document["components"]["schemas"]
    assert (await gateway.get("/docs")).status_code == 200


async def test_a_product_carries_what_a_buyer_wants_to_know(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    leader = await factories.person(gateway, system)
    community = await factories.community(leader)
    details = {
        "images": ["https://cdn.example.com/mango-1.jpg"],
        "origin": "海南三亚",
        "shelf_life_days": 7,
        "storage_notes": "常温避光，熟后冷藏",
    }
    product = await factories.product(leader, community["id"], name="贵妃芒", unit="箱", tags=["fruit"], **details)
    assert {k: product[k] for k in details} == details
    bad = {"community_id": community["id"], "name": "芒果", "unit": "箱", "images": ["javascript:alert(1)"]}
    assert (await leader.request("POST", "/api/v1/products", json=bad)).status_code == 422
