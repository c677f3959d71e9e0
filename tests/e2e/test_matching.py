"""Recommendations, privacy and the topic map through the gateway, learnt from the real events."""

from __future__ import annotations

from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.factories import Directory


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
