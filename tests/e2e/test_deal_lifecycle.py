"""A deal's life: draft → scheduled → open → sold out / closed → fulfilled. A draft is its leaders'
(edited, published after the same checks as a new deal, or discarded); a closed deal whose paid
orders are all picked up or refunded is fulfilled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.e2e.stream import published
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Neighbourhood


def hours(n: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=n)).isoformat()


async def get(who: Session, deal_id: str) -> httpx.Response:
    return await who.request("GET", f"/api/v1/deals/{deal_id}")


async def listed(who: Session, community_id: str, status: str = "open") -> list[str]:
    response = await who.request("GET", "/api/v1/deals", params={"community_id": community_id, "status": status})
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()]


async def test_a_draft_is_the_leaders_until_it_is_published(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    # A draft may start from an old window (a template's): only publishing needs one ahead.
    draft = await factories.draft(n.leader, n.community_id, n.product["id"], closes_at=hours(-1), stock=20)
    assert (draft["status"], draft["phase"]) == ("draft", "draft")
    assert await listed(n.leader, n.community_id, "draft") == [draft["id"]]
    assert draft["id"] not in await listed(n.leader, n.community_id)  # not among the deals on sale

    assert_problem(await get(n.resident, draft["id"]), 404)
    assert draft["id"] not in await listed(n.resident, n.community_id)
    assert_problem(
        await n.resident.request("GET", "/api/v1/deals", params={"community_id": n.community_id, "status": "draft"}),
        403,
    )
    assert_problem(
        await n.resident.request("POST", "/api/v1/orders", json={"deal_id": draft["id"], "quantity": 1}), 404
    )
    assert_problem(await n.leader.request("POST", "/api/v1/orders", json={"deal_id": draft["id"], "quantity": 1}), 409)
    for attempt in (
        n.resident.request("PATCH", f"/api/v1/deals/{draft['id']}", json={"price_fen": 1}),
        n.resident.request("POST", f"/api/v1/deals/{draft['id']}/publish"),
        n.resident.request("DELETE", f"/api/v1/deals/{draft['id']}"),
        n.resident.request("GET", f"/api/v1/deals/{draft['id']}/chain"),
    ):
        assert_problem(await attempt, 404)  # residents cannot even see it

    edited = await n.leader.request(
        "PATCH", f"/api/v1/deals/{draft['id']}", json={"closes_at": hours(48), "price_fen": 2990}
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["price_fen"], edited.json()["stock"], edited.json()["status"]) == (2990, 20, "draft")

    out = await n.leader.request("POST", f"/api/v1/deals/{draft['id']}/publish")
    assert out.status_code == 200, out.text
    assert (out.json()["status"], out.json()["phase"], out.json()["price_fen"]) == ("open", "open", 2990)
    assert draft["id"] in await listed(n.resident, n.community_id)
    assert await listed(n.leader, n.community_id, "draft") == []
    await factories.paid_order(n.resident, draft["id"])

    async def announced() -> list[Any]:
        return await published(system, "orders.deal.published", subject=draft["id"])

    [event] = await until(announced)  # one, when published: none while it was a draft
    assert event.data.price_fen == 2990 and event.data.community_ids == [n.community_id]


async def test_publishing_checks_a_draft_in_full_and_published_deals_are_fixed(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    draft = await factories.draft(n.leader, n.community_id, n.product["id"], closes_at=hours(-1))
    path = f"/api/v1/deals/{draft['id']}"

    stale = await n.leader.request("POST", f"{path}/publish")
    assert "closes_at must be in the future" in str(assert_problem(stale, 422)["detail"])
    for bad in (
        {"price_fen": 0},
        {"stock": -1},
        {"closes_at": "2099-01-01T00:00:00"},  # no timezone
        {"min_group_size": 999},
        {"price_tiers": [{"min_buyers": 2, "price_fen": 9999}]},
        {"also_for": [n.community_id]},
        {"community_id": UNKNOWN_ID},  # a draft stays in its community
        {"product_id": UNKNOWN_ID},
        {"pickup_point_ids": [UNKNOWN_ID]},
    ):
        assert_problem(await n.leader.request("PATCH", path, json=bad), 422)
    unchanged = (await get(n.leader, draft["id"])).json()
    assert {k: unchanged[k] for k in draft if k != "available"} == {k: draft[k] for k in draft if k != "available"}

    stranger = await factories.person(gateway, system)
    elsewhere = await factories.community(stranger, name="别的小区")
    for attempt in (
        stranger.request("PATCH", path, json={"price_fen": 1}),
        stranger.request("POST", f"{path}/publish"),
        stranger.request("DELETE", path),
        stranger.request("GET", path),
        stranger.request("GET", "/api/v1/deals", params={"community_id": n.community_id, "status": "draft"}),
    ):
        assert_problem(await attempt, 403)
    # Serving a community you do not lead is refused (and the draft keeps its terms).
    assert_problem(await n.leader.request("PATCH", path, json={"also_for": [elsewhere["id"]]}), 403)
    assert (await get(n.leader, draft["id"])).json()["also_for"] == []

    backwards = {"opens_at": hours(72), "closes_at": hours(48)}  # a draft's window is checked on publishing
    assert (await n.leader.request("PATCH", path, json=backwards)).status_code == 200
    assert_problem(await n.leader.request("POST", f"{path}/publish"), 422)
    assert (await get(n.leader, draft["id"])).json()["status"] == "draft"
    assert (await n.leader.request("PATCH", path, json={"opens_at": None})).status_code == 200
    assert (await n.leader.request("POST", f"{path}/publish")).status_code == 200
    assert_problem(await n.leader.request("POST", f"{path}/publish"), 409)
    assert_problem(await n.leader.request("PATCH", path, json={"price_fen": 1}), 409)
    assert_problem(await n.leader.request("DELETE", path), 409)
    after = (await get(n.resident, draft["id"])).json()
    assert (after["price_fen"], after["status"]) == (draft["price_fen"], "open")


async def test_a_draft_can_be_discarded(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    draft = await factories.draft(n.leader, n.community_id, n.product["id"])
    path = f"/api/v1/deals/{draft['id']}"
    assert_problem(await n.resident.request("DELETE", path), 404)
    gone = await n.leader.request("DELETE", path)
    assert gone.status_code == 204 and gone.content == b""
    assert_problem(await get(n.leader, draft["id"]), 404)
    assert_problem(await n.leader.request("DELETE", path), 404)
    assert await listed(n.leader, n.community_id, "draft") == []
    assert_problem(await n.leader.request("DELETE", f"/api/v1/deals/{n.deal['id']}"), 409)  # published: stays
    assert (await get(n.resident, n.deal["id"])).status_code == 200


@pytest.fixture(scope="module")
async def fast_clock(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> AsyncIterator[LocalSystem]:
    env = {"LINLI_ORDERS_CLOCK_SECONDS": "0.3", "LINLI_ORDERS_PICKUP_UNDO_SECONDS": "3"}
    async with running_system(tmp_path_factory.mktemp("fast-clock"), databases, **env) as running:
        yield running


async def test_a_closed_deal_is_fulfilled_once_every_order_is_collected(fast_clock: LocalSystem) -> None:
    system = fast_clock
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway:
        n = await Neighbourhood.build(gateway, system)
        gate = await factories.pickup_point(n.leader, n.community_id)
        closes = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
        deal = await factories.deal(
            n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"]], closes_at=closes
        )
        missed = await factories.deal(n.leader, n.community_id, n.product["id"], min_group_size=2, closes_at=closes)
        first = await factories.paid_order(n.resident, deal["id"])
        second = await factories.paid_order(n.resident, deal["id"])
        await factories.paid_order(n.resident, missed["id"])

        async def phase_of(deal_id: str, wanted: str) -> dict[str, Any] | None:
            view = (await get(n.leader, deal_id)).json()
            return view if view["phase"] == wanted else None

        await until(lambda: phase_of(deal["id"], "closed"), timeout=15)
        # A group that missed its minimum is refunded in full at close: nothing is left to hand over.
        refunded = await until(lambda: phase_of(missed["id"], "fulfilled"), timeout=15)
        assert refunded["status"] == "fulfilled"

        handed = {"pickup_point_id": gate["id"], "codes": [first["pickup_code"]]}
        assert (await n.leader.request("POST", "/api/v1/pickups", json=handed)).status_code == 200
        handed["codes"] = [second["pickup_code"]]
        assert (await n.leader.request("POST", "/api/v1/pickups", json=handed)).status_code == 200
        # The last hand-over may still be undone: the deal stays closed, and is not fulfilled after an undo.
        assert (await n.leader.request("POST", f"/api/v1/pickups/{second['id']}/undo")).status_code == 200
        assert (await get(n.leader, deal["id"])).json()["phase"] == "closed"
        assert (await n.leader.request("POST", "/api/v1/pickups", json=handed)).status_code == 200

        done = await until(lambda: phase_of(deal["id"], "fulfilled"), timeout=15)
        assert (done["status"], done["sold"]) == ("fulfilled", 2)
        assert (await get(n.resident, deal["id"])).json()["phase"] == "fulfilled"

        async def fulfilled(deal_id: str) -> list[Any]:
            return await published(system, "orders.deal.fulfilled", subject=deal_id)

        [event] = await until(lambda: fulfilled(deal["id"]))
        assert (event.data.picked_up, event.data.refunded) == (2, 0)
        [failed] = await until(lambda: fulfilled(missed["id"]))
        assert (failed.data.picked_up, failed.data.refunded) == (0, 1)
        # Once fulfilled, for good: an undo window has passed, and no order can be placed.
        assert_problem(await n.leader.request("POST", f"/api/v1/pickups/{second['id']}/undo"), 409)
        late = await n.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 1})
        assert_problem(late, 409)
