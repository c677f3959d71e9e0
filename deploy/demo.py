"""The demo community `make run` seeds through the public API, idempotently (a second run finds it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from deploy.client import Session, login, until
from deploy.processes import DEMO_OPERATOR_PHONE

LEADER_PHONE = "+8613900000001"
RESIDENT_PHONE = "+8613900000002"
OPERATOR_PHONE = DEMO_OPERATOR_PHONE
COMMUNITY = {"name": "阳光花园", "address": "上海市浦东新区阳光路 88 号"}


async def seed(gateway_url: str, sms_log: Path) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as http:
        leader = await login(http, LEADER_PHONE, sms_log=sms_log)
        led = [c for c, roles in leader.tokens["roles"].items() if "leader" in roles]
        if led:
            community_id = led[0]
        else:
            community_id = await _create_demo_community(leader)
        community = (await leader.request("GET", f"/api/v1/communities/{community_id}")).json()
        resident = await login(http, RESIDENT_PHONE, sms_log=sms_log)
        (
            await resident.request("POST", "/api/v1/communities/join", json={"invite_code": community["invite_code"]})
        ).raise_for_status()
        return {"community_id": community_id, "invite_code": community["invite_code"]}


async def _create_demo_community(leader: Session) -> str:
    response = await leader.request("POST", "/api/v1/communities", json=COMMUNITY)
    response.raise_for_status()
    community_id = str(response.json()["id"])
    await leader.refresh()  # the new token carries the leader role
    product = (
        await leader.request(
            "POST",
            "/api/v1/products",
            json={"community_id": community_id, "name": "有机婴儿米粉", "unit": "盒", "tags": ["infant", "organic"]},
        )
    ).json()

    async def open_deal() -> httpx.Response | None:
        # orders learns the product from catalog's event; until then it answers 422.
        closes = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        body = {
            "community_id": community_id,
            "product_id": product["id"],
            "price_fen": 3990,
            "stock": 100,
            "closes_at": closes,
        }
        r = await leader.request("POST", "/api/v1/deals", json=body)
        return r if r.status_code == 201 else None

    await until(open_deal)
    start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    session = {
        "community_id": community_id,
        "title": "儿科医生聊辅食添加",
        "kind": "expert_talk",
        "planned_start": start,
        "topics": ["parenting"],
    }
    (await leader.request("POST", "/api/v1/sessions", json=session)).raise_for_status()
    return community_id
