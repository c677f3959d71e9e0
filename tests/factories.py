"""One place that builds valid test data through the public API (no copied literals in tests)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from deploy.client import Session, login, until
from deploy.processes import DEMO_OPERATOR_PHONE, LocalSystem
from shared.settings import LOCAL_PAYMENT_WEBHOOK_SECRET


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


async def join(resident: Session, invite_code: str, display_name: str | None = None) -> dict[str, Any]:
    body = {"invite_code": invite_code} | ({"display_name": display_name} if display_name else {})
    response = await resident.request("POST", "/api/v1/communities/join", json=body)
    assert response.status_code == 200, response.text
    await resident.refresh()
    return dict(response.json())


async def rename(member: Session, community_id: str, display_name: str) -> dict[str, Any]:
    response = await member.request(
        "PATCH", f"/api/v1/communities/{community_id}/members/me", json={"display_name": display_name}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


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


async def draft(leader: Session, community_id: str, product_id: str, **overrides: Any) -> dict[str, Any]:
    """A deal kept as a draft (only its leaders see it until it is published)."""
    return await deal(leader, community_id, product_id, draft=True, **overrides)


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
    return await until_status(buyer, response.json()["id"], "paid")


async def until_status(buyer: Session, order_id: str, status: str) -> dict[str, Any]:
    """The order once it has `status` (payments and refunds are applied from events, a moment later)."""

    async def reached() -> dict[str, Any] | None:
        order = (await buyer.request("GET", f"/api/v1/orders/{order_id}")).json()
        return order if order["status"] == status else None

    return dict(await until(reached))


def payment_callback(
    order: dict[str, Any], *, message_id: str, payment_id: str, amount_fen: int | None = None
) -> dict[str, Any]:
    """A payment provider's signed `payment.succeeded` callback for `order`, as httpx request arguments."""
    data = {"order_id": order["id"], "payment_id": payment_id, "amount_fen": amount_fen or order["amount_fen"]}
    body = json.dumps({"type": "payment.succeeded", "data": data})
    now = datetime.now(UTC)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(LOCAL_PAYMENT_WEBHOOK_SECRET).sign(message_id, now, body),
        "content-type": "application/json",
    }
    return {"content": body, "headers": headers}


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


# --------------------------------------------------------------------------------------------
# The service directory


async def operator(gateway: httpx.AsyncClient, system: LocalSystem) -> Session:
    """Linli's operator (the launcher grants DEMO_OPERATOR_PHONE operator rights)."""
    return await login(gateway, DEMO_OPERATOR_PHONE, sms_log=system.log_path("gateway"))


def weekly_schedule(rule: str = "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=9,14", days_ahead: int = 1) -> str:
    """An RFC 5545 schedule starting tomorrow, Shanghai time."""
    start = (datetime.now(UTC) + timedelta(days=days_ahead)).strftime("%Y%m%d")
    return f"DTSTART;TZID=Asia/Shanghai:{start}T090000\nRRULE:{rule}"


async def provider(owner: Session, **overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "organisation",
        "name": "阳光家政服务社",
        "description": "十年老店，持证保洁员",
        "contact_phone": "+8613912345678",
        **overrides,
    }
    response = await owner.request("POST", "/api/v1/providers", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def offering_body(provider_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": "上门深度保洁",
        "category": "housekeeping",
        "description": "三室两厅深度清洁，厨房油污、卫生间除垢，自带工具",
        "price_model": "fixed",
        "price_fen": 29900,
        "schedule": weekly_schedule(),
        "slot_minutes": 180,
        "capacity": 2,
        "service_area": "阳光花园及周边 3 公里",
        "accessibility": "上门服务",
        **overrides,
    }


async def offering(owner: Session, provider_id: str, **overrides: Any) -> dict[str, Any]:
    response = await owner.request("POST", "/api/v1/offerings", json=offering_body(provider_id, **overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def qualification(
    owner: Session, provider_id: str, *, verified_by: Session | None = None, **overrides: Any
) -> dict[str, Any]:
    """Papers for a regulated domain (health by default), verified when an operator is given."""
    body = {
        "domain": "health",
        "kind": "医疗机构执业许可证",
        "number": "PDX-2026-0815",
        "issuer": "浦东新区卫生健康委员会",
        "valid_until": (datetime.now(UTC) + timedelta(days=365)).date().isoformat(),
        **overrides,
    }
    response = await owner.request("POST", f"/api/v1/providers/{provider_id}/qualifications", json=body)
    assert response.status_code == 201, response.text
    if verified_by is None:
        return dict(response.json())
    decided = await verified_by.request(
        "POST", f"/api/v1/qualifications/{response.json()['id']}/decision", json={"verified": True}
    )
    assert decided.status_code == 200, decided.text
    return dict(decided.json())


async def application(owner: Session, provider_id: str, community_id: str) -> dict[str, Any]:
    """The provider applies to a community (catalog learns of communities from events: retried)."""
    body = {"provider_id": provider_id, "community_id": community_id, "message": "想为小区邻居服务"}

    async def apply() -> httpx.Response | None:
        r = await owner.request("POST", "/api/v1/listings", json=body)
        assert r.status_code in (201, 404), r.text
        return r if r.status_code == 201 else None

    return dict((await until(apply)).json())


async def move(leader: Session, listing_id: str, to: str, reason: str = "审核通过") -> dict[str, Any]:
    response = await leader.request(
        "POST", f"/api/v1/listings/{listing_id}/transitions", json={"to": to, "reason": reason}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def listed(owner: Session, leader: Session, provider_id: str, community_id: str) -> dict[str, Any]:
    """A listing taken through the whole vetting: applied, reviewed, tried (with a note), listed."""
    listing = await application(owner, provider_id, community_id)
    await move(leader, listing["id"], "under_review", "资料齐全，开始审核")
    await move(leader, listing["id"], "trial", "先请来家里试一次")
    note = await leader.request(
        "POST", f"/api/v1/listings/{listing['id']}/trial-note", json={"note": "准时到，做得仔细，价格公道"}
    )
    assert note.status_code == 200, note.text
    return await move(leader, listing["id"], "listed", "试用满意")


class Directory:
    """A community (leader, resident) with a provider listed in it: its owner and one offering."""

    leader: Session
    resident: Session
    community: dict[str, Any]
    owner: Session
    provider: dict[str, Any]
    offering: dict[str, Any]
    listing: dict[str, Any]

    @classmethod
    async def build(cls, gateway: httpx.AsyncClient, system: LocalSystem, **offering_fields: Any) -> Directory:
        d = cls()
        d.leader = await person(gateway, system)
        d.community = await community(d.leader)
        d.resident = await person(gateway, system)
        await join(d.resident, d.community["invite_code"])
        d.owner = await person(gateway, system)
        d.provider = await provider(d.owner)
        d.offering = await offering(d.owner, d.provider["id"], **offering_fields)
        d.listing = await listed(d.owner, d.leader, d.provider["id"], d.community_id)
        return d

    @property
    def community_id(self) -> str:
        return str(self.community["id"])
