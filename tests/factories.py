"""One place that builds valid test data through the public API (no copied literals in tests)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from deploy.client import Session, login, until
from deploy.processes import LocalSystem


def new_phone() -> str:
    return f"+86139{random.randrange(10**8):08d}"


async def person(gateway: httpx.AsyncClient, system: LocalSystem) -> Session:
    return await login(gateway, new_phone(), sms_log=system.log_path("gateway"))


async def community(leader: Session, **overrides: Any) -> dict[str, Any]:
    body = {"name": "阳光花园", "address": "阳光路 88 号", **overrides}
    response = await leader.request("POST", "/api/v1/communities", json=body)
    assert response.status_code == 201, response.text
    await leader.refresh()  # the new token carries the leader role
    return dict(response.json())


async def join(resident: Session, invite_code: str) -> None:
    response = await resident.request("POST", "/api/v1/communities/join", json={"invite_code": invite_code})
    assert response.status_code == 200, response.text
    await resident.refresh()


async def product(leader: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "community_id": community_id,
        "name": "有机婴儿米粉",
        "unit": "盒",
        "tags": ["infant", "organic"],
        **overrides,
    }
    response = await leader.request("POST", "/api/v1/products", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def deal_body(community_id: str, product_id: str, **overrides: Any) -> dict[str, Any]:
    closes = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    return {
        "community_id": community_id,
        "product_id": product_id,
        "price_fen": 3990,
        "stock": 50,
        "per_person_limit": 5,
        "closes_at": closes,
        **overrides,
    }


async def deal(leader: Session, community_id: str, product_id: str, **overrides: Any) -> dict[str, Any]:
    async def publish() -> httpx.Response | None:
        # orders learns the product from catalog's event, so the first tries may find it unknown (422).
        r = await leader.request("POST", "/api/v1/deals", json=deal_body(community_id, product_id, **overrides))
        assert r.status_code in (201, 422), r.text
        return r if r.status_code == 201 else None

    response = await until(publish)
    return dict(response.json())


async def live_session(leader: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "community_id": community_id,
        "title": "儿科医生聊辅食添加",
        "kind": "expert_talk",
        "planned_start": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        "topics": ["parenting"],
        **overrides,
    }
    response = await leader.request("POST", "/api/v1/sessions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def pickup_point(leader: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    body = {"community_id": community_id, "name": "南门", "address": "阳光路 88 号南门", **overrides}
    response = await leader.request("POST", "/api/v1/pickup-points", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def paid_order(buyer: Session, deal_id: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    response = await buyer.request("POST", "/api/v1/orders", json={"deal_id": deal_id, "quantity": quantity, **extra})
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]

    async def paid() -> dict[str, Any] | None:
        order = (await buyer.request("GET", f"/api/v1/orders/{order_id}")).json()
        return order if order["status"] == "paid" else None

    return dict(await until(paid))


class Neighbourhood:
    """A community with a leader, a resident, an infant product on an open deal and a parenting session."""

    leader: Session
    resident: Session
    community: dict[str, Any]
    product: dict[str, Any]
    deal: dict[str, Any]
    session: dict[str, Any]

    @classmethod
    async def build(cls, gateway: httpx.AsyncClient, system: LocalSystem) -> Neighbourhood:
        n = cls()
        n.leader = await person(gateway, system)
        n.community = await community(n.leader)
        n.product = await product(n.leader, n.community["id"])
        n.deal = await deal(n.leader, n.community["id"], n.product["id"])
        n.session = await live_session(n.leader, n.community["id"])
        n.resident = await person(gateway, system)
        await join(n.resident, n.community["invite_code"])
        return n

    @property
    def community_id(self) -> str:
        return str(self.community["id"])
