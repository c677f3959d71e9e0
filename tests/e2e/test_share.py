"""A deal's share link and poster: the link credits the member who shared it, the poster carries the
deal, its photo, the leader behind it and the link's QR code; orders placed from it are traceable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from services.orders.deals.share import qr_svg
from services.orders.settings import Settings
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Neighbourhood

PHOTOS = ["https://cdn.example.com/rice-1.jpg", "https://cdn.example.com/rice-2.jpg"]


async def test_a_member_shares_a_deal_and_the_orders_it_brings_credit_them(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    await factories.rename(n.leader, n.community_id, "王姐")
    rice = await factories.product(n.leader, n.community_id, name="五常大米", images=PHOTOS)
    tiers = [{"min_buyers": 2, "price_fen": 3500}]
    deal = await factories.deal(n.leader, n.community_id, rice["id"], price_tiers=tiers)

    async def poster() -> dict[str, Any] | None:
        response = await n.resident.request("GET", f"/api/v1/deals/{deal['id']}/share")
        assert response.status_code == 200, response.text
        body = dict(response.json())
        return body if body["leader_name"] == "王姐" else None  # orders learns the name from community's event

    share = await until(poster)
    url = f"{Settings().public_url}/d/{deal['id']}?ref={n.resident.user_id}"
    assert share["url"] == url
    assert share["qr_svg"] == qr_svg(url) and share["qr_svg"].startswith("<svg")
    assert (share["title"], share["price_fen"], share["current_price_fen"]) == ("五常大米", 3990, 3990)
    assert datetime.fromisoformat(share["closes_at"]) == datetime.fromisoformat(deal["closes_at"])
    assert (share["image"], share["community_name"]) == (PHOTOS[0], "阳光花园")

    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, n.community["invite_code"])
    referred = await factories.paid_order(neighbour, deal["id"], ref=n.resident.user_id)
    assert referred["referred_by"] == n.resident.user_id
    assert (await n.leader.request("GET", f"/api/v1/orders/{referred['id']}")).json()[
        "referred_by"
    ] == n.resident.user_id

    async def placed() -> list[Any]:
        return await published(system, "orders.order.placed", subject=referred["id"])

    [event] = await until(placed)
    assert event.data.referred_by == n.resident.user_id

    # A ref that is no member of the deal's communities, or the buyer themself, is not credited; the order stands.
    stranger = await factories.person(gateway, system)
    await factories.community(stranger, name="别的小区")
    for ref in (stranger.user_id, n.resident.user_id, UNKNOWN_ID):
        buyer = n.resident if ref == n.resident.user_id else neighbour
        order = await factories.paid_order(buyer, deal["id"], ref=ref)
        assert order["referred_by"] is None
    assert_problem(
        await n.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 1, "ref": "x"}), 422
    )
    grown = (await n.resident.request("GET", f"/api/v1/deals/{deal['id']}/share")).json()
    assert grown["current_price_fen"] == 3500  # two neighbours have bought: the tier's price


async def test_only_members_who_see_a_deal_share_it(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    opens = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    scheduled = await factories.deal(n.leader, n.community_id, n.product["id"], opens_at=opens)
    draft = await factories.draft(n.leader, n.community_id, n.product["id"])
    stranger = await factories.person(gateway, system)

    def share(deal_id: str) -> str:
        return f"/api/v1/deals/{deal_id}/share"

    assert_problem(await stranger.request("GET", share(n.deal["id"])), 403)
    assert_problem(await n.resident.request("GET", share(scheduled["id"])), 404)  # not announced yet
    assert_problem(await n.resident.request("GET", share(draft["id"])), 404)
    assert_problem(await n.leader.request("GET", share(draft["id"])), 409)  # publish it first
    assert_problem(await n.leader.request("GET", share(UNKNOWN_ID)), 404)
    early = (await n.leader.request("GET", share(scheduled["id"]))).json()  # a leader announces it ahead
    assert early["url"].endswith(f"/d/{scheduled['id']}?ref={n.leader.user_id}") and early["image"] is None
    assert datetime.fromisoformat(early["opens_at"]) == datetime.fromisoformat(scheduled["opens_at"])


def test_the_public_url_is_one_setting_for_the_whole_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("LINLI_PUBLIC_URL", "https://linli.example.cn/")
    assert Settings().public_url == "https://linli.example.cn"
    monkeypatch.setenv("LINLI_PUBLIC_URL", "linli.example.cn")
    with pytest.raises(ValueError, match="public_url"):
        Settings()
