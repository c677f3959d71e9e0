"""Recommendations, privacy and the topic map through the gateway, learnt from the real events."""

from __future__ import annotations

from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.factories import Directory, LiveRoom
from tests.livestream.room import Room


async def recommended(member: Session, community_id: str) -> dict[str, dict[str, Any]]:
    r = await member.request("GET", "/api/v1/recommendations", params={"community_id": community_id, "limit": 50})
    assert r.status_code == 200, r.text
    return {item["id"]: item for item in r.json()}


async def test_listed_services_and_open_events_only(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    small = await factories.offline_event(d.leader, d.community_id, title="亲子手作", kind="workshop", capacity=1)
    roomy = await factories.offline_event(d.leader, d.community_id, title="周六跳蚤市场")

    async def both() -> dict[str, dict[str, Any]] | None:
        found = await recommended(d.resident, d.community_id)
        return found if {d.offering["id"], small["id"], roomy["id"]} <= set(found) else None

    found = await until(both)
    service = found[d.offering["id"]]
    assert service["kind"] == "service" and service["title"] == d.offering["name"]
    assert service["reason"]["type"] == "new" and service["reason"]["text"] == "new in your community"

    # The only seat goes to a neighbour: the full event is recommended to nobody; the one who joined it
    # is not offered the other one back either.
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, d.community["invite_code"])
    await factories.register(neighbour, small["id"])
    await factories.register(neighbour, roomy["id"])
    await until(lambda: _without(d.resident, d.community_id, small["id"]))
    assert roomy["id"] not in await recommended(neighbour, d.community_id)

    # Suspended: its services are no longer recommended.
    await factories.move(d.leader, d.listing["id"], "suspended", "多次投诉")
    await until(lambda: _without(d.resident, d.community_id, d.offering["id"]))


async def _without(member: Session, community_id: str, item_id: str) -> bool:
    return item_id not in await recommended(member, community_id)


async def test_a_resident_switches_off_and_deletes_their_profile(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    d = await Directory.build(gateway, system)
    cid = d.community_id
    profile = await d.resident.request("GET", "/api/v1/profiles/me", params={"community_id": cid, "lang": "zh"})
    assert profile.status_code == 200 and profile.json() == []

    assert (await d.resident.request("GET", "/api/v1/profiles/me/personalisation")).json() == {"enabled": True}
    bad = await d.resident.request("PUT", "/api/v1/profiles/me/personalisation", json={"enabled": "perhaps"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    off = await d.resident.request("PUT", "/api/v1/profiles/me/personalisation", json={"enabled": False})
    assert off.status_code == 200 and off.json() == {"enabled": False}
    assert (await d.resident.request("GET", "/api/v1/profiles/me/personalisation")).json() == {"enabled": False}
    assert (await d.resident.request("DELETE", "/api/v1/profiles/me")).status_code == 204
    assert (await d.resident.request("GET", "/api/v1/profiles/me/personalisation")).json() == {"enabled": False}


async def test_only_a_leader_tunes_the_topic_map(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    params = {"community_id": d.community_id}
    body = {"tags": {"seafood": ["culture", "cooking"]}}
    assert (await d.resident.request("PUT", "/api/v1/profiles/topic-map", params=params, json=body)).status_code == 403
    stranger = await factories.person(gateway, system)
    assert (await stranger.request("GET", "/api/v1/profiles/topic-map", params=params)).status_code == 403
    for bad in ({"tags": {"sea food!": ["culture"]}}, {"tags": {"seafood": ["x"] * 11}}, {"tags": []}):
        r = await d.leader.request("PUT", "/api/v1/profiles/topic-map", params=params, json=bad)
        assert r.status_code == 422, (bad, r.text)
    tuned = await d.leader.request("PUT", "/api/v1/profiles/topic-map", params=params, json=body)
    assert tuned.status_code == 200, tuned.text
    assert tuned.json()["tags"]["seafood"] == ["culture", "cooking"]
    seen = (await d.resident.request("GET", "/api/v1/profiles/topic-map", params=params)).json()
    assert seen["tags"]["seafood"] == ["culture", "cooking"] and seen["tags"]["infant"]


async def test_a_need_in_words_reaches_the_handyman(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)  # a listed cleaning service
    handyman = await factories.person(gateway, system)
    talent = await factories.provider(handyman, kind="talent", name="老王师傅", description="小区里的水电师傅")
    plumbing = await factories.offering(
        handyman,
        talent["id"],
        name="水管维修",
        category="repair",
        description="水管漏水、马桶堵塞、下水道疏通，上门服务",
        price_model="quote",
        price_fen=None,
    )
    await factories.listed(handyman, d.leader, talent["id"], d.community_id)
    need = await factories.need(d.resident, d.community_id, category="repair", text="找人修水管")
    path = f"/api/v1/needs/{need['id']}/matches"

    async def matched() -> list[dict[str, Any]] | None:
        r = await d.resident.request("GET", path)
        return r.json() if r.status_code == 200 and r.json() else None

    first = (await until(matched))[0]
    assert (first["offering_id"], first["provider_name"], first["provider_kind"]) == (
        plumbing["id"],
        "老王师傅",
        "talent",
    )
    assert "水管" in first["words"] and first["same_category"]
    assert (await d.leader.request("GET", path)).status_code == 200
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, d.community["invite_code"])
    assert (await neighbour.request("GET", path)).status_code == 403
    outsider = await factories.person(gateway, system)
    await factories.community(outsider, name="翠湖天地")
    assert (await outsider.request("GET", path)).status_code == 404

    found = await recommended(d.resident, d.community_id)
    assert found[plumbing["id"]]["reason"] == {
        "type": "matches_your_need",
        "seed": "找人修水管",
        "text": "you need 找人修水管",
    }


async def test_an_unanswered_search_is_demand_once_a_day(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    params = {"community_id": d.community_id, "q": "遛狗"}
    for _ in range(2):
        r = await d.resident.request("GET", "/api/v1/directory/search", params=params)
        assert r.status_code == 200 and r.json()["items"] == []

    async def counted() -> list[dict[str, Any]] | None:
        r = await d.leader.request("GET", "/api/v1/demand", params={"community_id": d.community_id})
        return r.json() or None

    assert await until(counted) == [{"category": "pet_care", "residents": 1, "threshold": 10}]
    events = await published(system, "catalog.search.unanswered", subject=d.community_id)
    assert [(e.data.user_id, e.data.q) for e in events] == [(d.resident.user_id, "遛狗")]


async def test_the_host_gets_a_hint_of_the_card_the_room_is_into(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    r = await LiveRoom.build(gateway, system, residents=2)
    owner = await factories.person(gateway, system)
    provider = await factories.provider(owner)
    cleaning = await factories.offering(owner, provider["id"])  # housekeeping
    await factories.listed(owner, r.leader, provider["id"], r.community_id)
    product = await factories.product(r.leader, r.community_id)
    deal = await factories.deal(r.leader, r.community_id, product["id"])
    await factories.card(r.leader, r.session_id, "deal", deal["id"])
    await factories.card(r.leader, r.session_id, "service", cleaning["id"])
    for resident in r.residents:  # both need a cleaner: they are into housekeeping
        await factories.need(resident, r.community_id, category="housekeeping", text="找钟点工打扫卫生")
    rooms = [await Room.join(system, r.session_id, resident) for resident in r.residents]
    for room in rooms:
        await room.next("snapshot")
    hint = f"/api/v1/sessions/{r.session_id}/hint"

    async def ranked() -> list[dict[str, Any]] | None:
        answer = await r.leader.request("GET", hint)
        assert answer.status_code == 200, answer.text
        found = answer.json()
        return found if found[0]["score"] > 0 and found[0]["viewers"] == 2 else None

    first, second = await until(ranked)
    assert (first["kind"], first["ref_id"], first["title"]) == ("service", cleaning["id"], cleaning["name"])
    assert first["reason"] == "a few viewers are into housekeeping" and first["interested"] is None
    assert second["ref_id"] == deal["id"] and second["score"] == 0
    zh = await r.leader.request("GET", hint, params={"lang": "zh"})
    assert zh.json()[0]["reason"] == "有几位观众关注家政保洁"

    assert (await r.resident.request("GET", hint)).status_code == 403
    assert (await r.outsider.request("GET", hint)).status_code == 404
    assert (await r.leader.request("GET", f"/api/v1/sessions/{'0' * 32}/hint")).status_code == 404
    for room in rooms:
        await room.close()
