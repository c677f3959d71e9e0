"""From bookings back to the directory, through the gateway: a resident's review of a completed
booking (orders) becomes the offering's rating residents see in search and its reviews list
(catalog), with the provider's reply and never who wrote it; five low ratings put the listing back
under review by themselves, so search stops showing it and orders stops taking its bookings.
Only members of a community where the provider is listed read the reviews."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.catalog.streams import events_about
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


async def neighbours(gateway: httpx.AsyncClient, system: LocalSystem, d: Directory, count: int) -> list[Session]:
    """`count` more residents of d's community."""
    joined = [await factories.person(gateway, system) for _ in range(count)]
    for neighbour in joined:
        await factories.join(neighbour, d.community["invite_code"])
    return joined


async def card(resident: Session, community_id: str, *, rated: int) -> dict[str, Any]:
    """The resident's search result once it shows `rated` ratings (catalog learns them from orders' events)."""

    async def found() -> dict[str, Any] | None:
        r = await resident.request("GET", "/api/v1/directory/search", params={"community_id": community_id})
        assert r.status_code == 200, r.text
        [item] = r.json()["items"]
        return dict(item) if item["rating_count"] == rated else None

    return dict(await until(found))


async def reviews_of(who: Session, offering_id: str, **params: Any) -> list[dict[str, Any]]:
    r = await who.request("GET", f"/api/v1/offerings/{offering_id}/reviews", params=params)
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_reviews_become_the_rating_residents_see(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    [neighbour] = await neighbours(gateway, system, d, 1)
    slot = await factories.published_slot(
        system, d.provider["id"], d.offering["id"], starts_in=timedelta(seconds=2), capacity=2
    )
    booked = [
        await factories.booking(who, d.community_id, d.offering["id"], starts_at=slot["starts_at"])
        for who in (d.resident, neighbour)
    ]
    for booking in booked:
        await factories.completed(system, booking)
    assert (await card(d.resident, d.community_id, rated=0))["rating_avg"] == 0

    await factories.review(d.resident, booked[0]["id"], 5, "准时、干净，推荐")
    first = await card(d.resident, d.community_id, rated=1)
    assert first["rating_avg"] == 5.0
    await factories.review(neighbour, booked[1]["id"], 3, "打扫得还行，迟到十分钟")
    assert (await card(neighbour, d.community_id, rated=2))["rating_avg"] == 4.0
    offering = (await d.resident.request("GET", f"/api/v1/offerings/{d.offering['id']}")).json()
    assert (offering["rating_avg"], offering["rating_count"]) == (4.0, 2)

    async with factories.partner(system, d.provider["id"]) as provider:
        replied = await provider.post(f"/bookings/{booked[0]['id']}/reply", json={"text": "谢谢认可，欢迎再约"})
        assert replied.status_code == 200, replied.text

    async def with_reply() -> list[dict[str, Any]] | None:
        shown = await reviews_of(d.resident, d.offering["id"])
        return shown if shown[-1]["reply"] else None

    shown = await until(with_reply)
    assert [(r["rating"], r["text"], r["reply"]) for r in shown] == [
        (3, "打扫得还行，迟到十分钟", None),  # newest first
        (5, "准时、干净，推荐", "谢谢认可，欢迎再约"),
    ]
    assert all(set(r) == {"rating", "text", "reviewed_at", "reply", "replied_at"} for r in shown)
    assert shown[0]["reviewed_at"] > shown[1]["reviewed_at"] and shown[1]["replied_at"]
    r = await neighbour.request("GET", f"/api/v1/offerings/{d.offering['id']}/reviews")
    for who in (d.resident, neighbour):
        assert who.user_id not in r.text and who.phone not in r.text, "never who wrote it"
    assert booked[0]["id"] not in r.text
    assert [x["rating"] for x in await reviews_of(neighbour, d.offering["id"], limit=1, offset=1)] == [5]
    assert await reviews_of(neighbour, d.offering["id"], offset=2) == []
    # The provider and the leader vetting it read them too.
    for who in (d.owner, d.leader):
        assert len(await reviews_of(who, d.offering["id"])) == 2


async def test_five_low_ratings_put_the_listing_under_review(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(
        gateway, system, name="家电维修", category="repair", price_model="quote", price_fen=None, schedule=None
    )
    residents = [d.resident, *await neighbours(gateway, system, d, 4)]
    asked = [await factories.inquiry(who, d.community_id, d.offering["id"]) for who in residents]
    for booking in asked:
        await factories.completed(system, booking)
    *first_four, (last, last_asked) = list(zip(residents, asked, strict=True))
    for who, booking in first_four:
        await factories.review(who, booking["id"], 2, "修了两次还坏")
    assert (await card(d.resident, d.community_id, rated=4))["rating_avg"] == 2.0  # too few to judge
    listing = (await d.leader.request("GET", f"/api/v1/listings/{d.listing['id']}")).json()
    assert listing["state"] == "listed"

    await factories.review(last, last_asked["id"], 1, "上门迟到两小时")

    async def under_review() -> dict[str, Any] | None:
        found = (await d.leader.request("GET", f"/api/v1/listings/{d.listing['id']}")).json()
        return dict(found) if found["state"] == "under_review" else None

    await until(under_review)
    history = (await d.leader.request("GET", f"/api/v1/listings/{d.listing['id']}/history")).json()
    assert {k: history[-1][k] for k in ("from_state", "to_state", "actor_id", "actor_role", "reason")} == {
        "from_state": "listed",
        "to_state": "under_review",
        "actor_id": None,
        "actor_role": "system",
        "reason": "an offering is rated 1.8",
    }
    events = await events_about(system.nats_url, d.listing["id"], at_least=5)
    assert events[-1]["type"] == "catalog.listing.under_review" and events[-1]["actor_id"] is None

    search = await d.resident.request("GET", "/api/v1/directory/search", params={"community_id": d.community_id})
    assert search.json()["items"] == [], "residents no longer find it"
    body = {"offering_id": d.offering["id"], "community_id": d.community_id, "note": "还想请师傅来一次"}

    async def refused() -> dict[str, object] | None:
        r = await d.resident.request("POST", "/api/v1/inquiries", json=body)
        assert r.status_code in (201, 409), r.text
        return assert_problem(r, 409) if r.status_code == 409 else None

    # Until orders hears of it the provider may still take one; then no more.
    problem = await until(refused)
    assert problem["listing_state"] == "under_review"


async def test_only_members_where_the_provider_is_listed_read_its_reviews(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    d = await Directory.build(gateway, system)
    path = f"/api/v1/offerings/{d.offering['id']}/reviews"
    outsider = await factories.person(gateway, system)  # a leader of another community
    other = await factories.community(outsider, name="明月小区")
    elsewhere = await factories.person(gateway, system)  # a resident of it
    await factories.join(elsewhere, other["invite_code"])
    stranger = await factories.person(gateway, system)  # no community at all
    for who in (outsider, elsewhere, stranger):
        assert_problem(await who.request("GET", path), 404)
    assert_problem(await d.resident.request("GET", "/api/v1/offerings/" + "0" * 32 + "/reviews"), 404)
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}):
        assert_problem(await d.resident.request("GET", path, params=params), 422)
    assert await reviews_of(d.resident, d.offering["id"]) == []
    assert (await gateway.get(path)).status_code == 401
