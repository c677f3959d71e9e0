"""Item swaps (闲置交换) through the gateway: a member posts an item, neighbours offer, the owner
accepts one (the others are declined and told), both confirm the hand-over and the post closes; a
report hides a post until a moderator restores or removes it. Outsiders are refused everywhere;
bad input is a clear 4xx that changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Events


@pytest.fixture
async def hood(gateway: httpx.AsyncClient, system: LocalSystem) -> Events:
    return await Events.build(gateway, system)


async def snapshot(hood: Events, swap_id: str) -> tuple[Any, ...]:
    """What a refused request must not change: the post, its offers, the community's posts."""
    s, c = f"/api/v1/swaps/{swap_id}", f"/api/v1/communities/{hood.community_id}/swaps"
    owner = hood.resident
    return (
        (await owner.request("GET", s)).json(),
        (await owner.request("GET", f"{s}/offers")).json(),
        [(p["id"], p["status"]) for p in (await hood.leader.request("GET", c)).json()],
    )


async def types_about(system: LocalSystem, swap_id: str, at_least: int) -> list[Any]:
    async def read() -> list[Any] | None:
        found = await published(system, "community.swap.>", subject=swap_id)
        return found if len(found) >= at_least else None

    return list(await until(read))


async def test_an_item_changes_hands(hood: Events, gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    third = await factories.person(gateway, system)
    await factories.join(third, hood.community["invite_code"])
    item = await factories.swap(hood.resident, hood.community_id)
    assert (item["status"], item["terms"], item["swap_for"], item["hidden"]) == ("open", "swap", "儿童绘本", False)
    first = await factories.offer(hood.neighbour, item["id"])
    second = await factories.offer(third, item["id"], "我有一套乐高")
    s = f"/api/v1/swaps/{item['id']}"
    assert len((await hood.resident.request("GET", f"{s}/offers")).json()) == 2
    assert [o["id"] for o in (await third.request("GET", f"{s}/offers")).json()] == [second["id"]]  # their own

    late = await factories.offer(hood.leader, item["id"], "我也想要")
    declined = await hood.resident.request("POST", f"{s}/offers/{late['id']}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert_problem(await hood.resident.request("POST", f"{s}/offers/{late['id']}/accept"), 409)

    accepted = await hood.resident.request("POST", f"{s}/offers/{first['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["taker_id"]) == ("promised", hood.neighbour.user_id)
    offers = {o["id"]: o["status"] for o in (await hood.resident.request("GET", f"{s}/offers")).json()}
    assert offers == {first["id"]: "accepted", second["id"]: "declined", late["id"]: "declined"}

    assert_problem(await third.request("POST", f"{s}/handover"), 403)
    half = (await hood.neighbour.request("POST", f"{s}/handover")).json()
    assert (half["status"], half["taker_confirmed"], half["owner_confirmed"]) == ("promised", True, False)
    done = (await hood.resident.request("POST", f"{s}/handover")).json()
    assert (done["status"], done["owner_confirmed"]) == ("closed", True) and done["closed_at"]
    assert_problem(await hood.resident.request("POST", f"{s}/handover"), 409)
    closed = (await hood.leader.request("GET", f"/api/v1/communities/{hood.community_id}/swaps?status=closed")).json()
    assert [p["id"] for p in closed] == [item["id"]]

    events = await types_about(system, item["id"], at_least=8)
    assert [e.type for e in events] == [
        "community.swap.posted",
        "community.swap.offer_made",
        "community.swap.offer_made",
        "community.swap.offer_made",
        "community.swap.offer_declined",
        "community.swap.offer_accepted",
        "community.swap.offer_declined",
        "community.swap.closed",
    ]
    assert events[6].data.user_id == third.user_id and events[6].data.offer_id == second["id"]
    assert events[7].data.taker_id == hood.neighbour.user_id


async def test_bad_input_is_refused_and_changes_nothing(hood: Events) -> None:
    item = await factories.swap(hood.resident, hood.community_id, terms="price", swap_for=None, price_fen=500)
    offer = await factories.offer(hood.neighbour, item["id"])
    s, c = f"/api/v1/swaps/{item['id']}", f"/api/v1/communities/{hood.community_id}/swaps"
    before = await snapshot(hood, item["id"])
    assert_problem(await hood.resident.request("POST", f"{s}/offers", json={}), 422)  # their own item
    assert_problem(await hood.neighbour.request("POST", f"{s}/offers", json={}), 409)  # one open offer each
    assert_problem(await hood.neighbour.request("POST", f"{s}/offers/{offer['id']}/accept"), 403)  # not the owner
    assert_problem(await hood.resident.request("POST", f"{s}/offers/{UNKNOWN_ID}/accept"), 404)
    assert_problem(await hood.resident.request("POST", f"{s}/handover"), 409)  # nothing accepted yet
    assert_problem(await hood.resident.request("POST", f"{s}/reports", json={"reason": "自己举报自己"}), 409)
    assert_problem(await hood.neighbour.request("POST", f"{s}/moderation", json={"decision": "remove"}), 403)
    assert_problem(await hood.leader.request("POST", f"{s}/moderation", json={"decision": "restore"}), 409)
    assert_problem(await hood.leader.request("GET", f"/api/v1/swaps/{UNKNOWN_ID}"), 404)
    for bad in (
        {"price_fen": -100},
        {"price_fen": 0},
        {"terms": "price", "swap_for": None},  # a price needs price_fen
        {"terms": "free"},  # free, yet names a swap
        {"swap_for": None},
        {"category": "cars"},
        {"condition": "broken"},
        {"title": ""},
        {"photos": ["http://insecure.example.com/x.jpg"]},
        {"photos": [f"https://img.example.com/{i}.jpg" for i in range(10)]},
    ):
        assert_problem(await hood.resident.request("POST", c, json=factories.swap_body(**bad)), 422)
    assert_problem(await hood.neighbour.request("POST", f"{s}/reports", json={"reason": ""}), 422)
    assert_problem(await hood.leader.request("POST", f"{s}/moderation", json={"decision": "ban"}), 422)
    assert await snapshot(hood, item["id"]) == before

    # Accepting an offer on a post that is no longer open is a 409, and changes nothing.
    await hood.resident.request("POST", f"{s}/offers/{offer['id']}/accept")
    promised = await snapshot(hood, item["id"])
    assert_problem(await hood.resident.request("POST", f"{s}/offers/{offer['id']}/accept"), 409)
    assert_problem(await hood.leader.request("POST", f"{s}/offers", json={}), 409)
    await hood.resident.request("POST", f"{s}/handover")
    await hood.neighbour.request("POST", f"{s}/handover")
    late = await factories.swap(hood.resident, hood.community_id)
    other = await factories.offer(hood.neighbour, late["id"])
    await hood.resident.request("POST", f"/api/v1/swaps/{late['id']}/offers/{other['id']}/accept")
    assert_problem(await hood.resident.request("POST", f"{s}/offers/{offer['id']}/accept"), 409)  # closed
    assert (await hood.resident.request("GET", s)).json()["status"] == "closed"
    assert promised[1] == (await hood.resident.request("GET", f"{s}/offers")).json()


async def test_a_report_hides_a_post_until_a_moderator_decides(hood: Events, system: LocalSystem) -> None:
    item = await factories.swap(hood.resident, hood.community_id)
    offer = await factories.offer(hood.neighbour, item["id"])
    s, c = f"/api/v1/swaps/{item['id']}", f"/api/v1/communities/{hood.community_id}/swaps"
    reported = await hood.neighbour.request("POST", f"{s}/reports", json={"reason": "疑似商业广告"})
    assert reported.status_code == 200 and reported.json()["hidden"] is True
    # Hidden: gone for neighbours, still there for its owner and the moderators.
    assert_problem(await hood.neighbour.request("GET", s), 404)
    assert (await hood.neighbour.request("GET", c)).json() == []
    assert [p["id"] for p in (await hood.resident.request("GET", c)).json()] == [item["id"]]
    assert (await hood.leader.request("GET", s)).json()["hidden"] is True
    assert_problem(await hood.resident.request("POST", f"{s}/offers/{offer['id']}/accept"), 409)  # pending review

    moderator = hood.neighbour
    await factories.grant_role(hood.leader, hood.community_id, moderator, "moderator")
    assert_problem(await moderator.request("POST", f"{s}/reports", json={"reason": "再举报"}), 409)  # once each
    restored = await moderator.request("POST", f"{s}/moderation", json={"decision": "restore", "note": "正常转让"})
    assert restored.status_code == 200 and restored.json()["hidden"] is False
    assert (await hood.outsider.request("GET", s)).status_code == 403

    # A revoked moderator loses the power at once, though the token still says moderator.
    await hood.leader.request(
        "DELETE", f"/api/v1/communities/{hood.community_id}/members/{moderator.user_id}/roles/moderator"
    )
    assert_problem(await moderator.request("POST", f"{s}/moderation", json={"decision": "remove"}), 403)

    removed = await hood.leader.request("POST", f"{s}/moderation", json={"decision": "remove", "note": "违规"})
    assert removed.json()["status"] == "removed"
    assert_problem(await moderator.request("GET", s), 404)
    offers = (await hood.resident.request("GET", f"{s}/offers")).json()
    assert [o["status"] for o in offers] == ["declined"]
    assert_problem(await hood.leader.request("POST", f"{s}/moderation", json={"decision": "remove"}), 409)
    types = [e.type for e in await types_about(system, item["id"], at_least=6)]
    assert types[-4:] == [
        "community.swap.reported",
        "community.swap.moderated",
        "community.swap.offer_declined",
        "community.swap.moderated",
    ]


async def test_an_outsider_is_refused_everywhere(hood: Events) -> None:
    """The outsider leads another community: none of this community's swaps are theirs to see or touch."""
    item = await factories.swap(hood.resident, hood.community_id)
    offer = await factories.offer(hood.neighbour, item["id"])
    before = await snapshot(hood, item["id"])
    s, c = f"/api/v1/swaps/{item['id']}", f"/api/v1/communities/{hood.community_id}/swaps"
    for method, path, body in [
        ("GET", c, None),
        ("POST", c, factories.swap_body()),
        ("GET", s, None),
        ("GET", f"{s}/offers", None),
        ("POST", f"{s}/offers", {}),
        ("POST", f"{s}/offers/{offer['id']}/accept", None),
        ("POST", f"{s}/offers/{offer['id']}/decline", None),
        ("POST", f"{s}/handover", None),
        ("POST", f"{s}/reports", {"reason": "外人举报"}),
        ("POST", f"{s}/moderation", {"decision": "remove"}),
    ]:
        assert_problem(await hood.outsider.request(method, path, json=body), 403)
    assert await snapshot(hood, item["id"]) == before
