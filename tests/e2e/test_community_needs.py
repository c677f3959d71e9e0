"""Posted needs (居民需求) through the gateway: a member posts, neighbours say "me too" once each, the
poster closes it as met; a need for the leaders only is seen by its poster and the leaders; the
events carry the category for demand aggregation (the posting also the text, for need matching) and
nothing personal; outsiders are refused everywhere and bad input changes nothing."""

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


async def snapshot(hood: Events, need_id: str) -> tuple[Any, ...]:
    c = f"/api/v1/communities/{hood.community_id}"
    return (
        (await hood.leader.request("GET", f"/api/v1/needs/{need_id}")).json(),
        (await hood.leader.request("GET", f"{c}/needs")).json(),
        (await hood.leader.request("GET", f"{c}/needs?status=met")).json(),
    )


async def test_a_need_is_posted_seconded_and_met(hood: Events, system: LocalSystem) -> None:
    need = await factories.need(hood.resident, hood.community_id, urgency="urgent")
    assert (need["status"], need["seconds"], need["category"], need["visibility"]) == (
        "open",
        0,
        "tutoring",
        "community",
    )
    seconded = await hood.neighbour.request("POST", f"/api/v1/needs/{need['id']}/seconds")
    assert seconded.status_code == 200, seconded.text
    assert (seconded.json()["seconds"], seconded.json()["seconded_by_me"]) == (1, True)
    await hood.leader.request("POST", f"/api/v1/needs/{need['id']}/seconds")
    listed = (await hood.neighbour.request("GET", f"/api/v1/communities/{hood.community_id}/needs")).json()
    assert [(n["id"], n["seconds"], n["seconded_by_me"]) for n in listed] == [(need["id"], 2, True)]

    closed = await hood.resident.request("POST", f"/api/v1/needs/{need['id']}/close")
    assert closed.json()["status"] == "met" and closed.json()["closed_at"]
    assert (await hood.resident.request("GET", f"/api/v1/communities/{hood.community_id}/needs")).json() == []
    met = (await hood.resident.request("GET", f"/api/v1/communities/{hood.community_id}/needs?status=met")).json()
    assert [n["id"] for n in met] == [need["id"]]

    async def read() -> list[Any] | None:
        found = await published(system, "community.need.>", subject=need["id"])
        return found if len(found) >= 4 else None

    events = await until(read)
    assert [e.type for e in events] == [
        "community.need.posted",
        "community.need.seconded",
        "community.need.seconded",
        "community.need.closed",
    ]
    assert [e.data.seconds for e in events[1:]] == [1, 2, 2]
    for event in events:
        assert event.community_id == hood.community_id and event.data.category == "tutoring"
        assert hood.resident.phone not in event.model_dump_json()
    # Only the posting carries the text (matching matches it to providers, for the poster and the leaders).
    assert events[0].data.text == need["text"] and all("text" not in e.data.model_dump() for e in events[1:])
    assert events[0].actor_id == hood.resident.user_id


async def test_a_need_for_the_leaders_only(hood: Events) -> None:
    private = await factories.need(hood.resident, hood.community_id, visibility="leaders", category="elder_care")
    public = await factories.need(hood.neighbour, hood.community_id)
    c = f"/api/v1/communities/{hood.community_id}/needs"
    assert [n["id"] for n in (await hood.neighbour.request("GET", c)).json()] == [public["id"]]
    assert [n["id"] for n in (await hood.resident.request("GET", c)).json()] == [public["id"], private["id"]]
    assert [n["id"] for n in (await hood.leader.request("GET", c)).json()] == [public["id"], private["id"]]
    for path in ("", "/seconds", "/close"):
        method = "GET" if not path else "POST"
        assert_problem(await hood.neighbour.request(method, f"/api/v1/needs/{private['id']}{path}"), 404)
    assert (await hood.leader.request("GET", f"/api/v1/needs/{private['id']}")).status_code == 200
    assert (await hood.leader.request("POST", f"/api/v1/needs/{private['id']}/seconds")).json()["seconds"] == 1


async def test_bad_input_is_refused_and_changes_nothing(hood: Events) -> None:
    need = await factories.need(hood.resident, hood.community_id)
    await hood.neighbour.request("POST", f"/api/v1/needs/{need['id']}/seconds")
    before = await snapshot(hood, need["id"])
    n = f"/api/v1/needs/{need['id']}"
    assert_problem(await hood.neighbour.request("POST", f"{n}/seconds"), 409)  # a second "me too"
    assert_problem(await hood.resident.request("POST", f"{n}/seconds"), 409)  # their own need
    assert_problem(await hood.neighbour.request("POST", f"{n}/close"), 403)  # not the poster
    assert_problem(await hood.leader.request("GET", f"/api/v1/needs/{UNKNOWN_ID}"), 404)
    c = f"/api/v1/communities/{hood.community_id}/needs"
    for bad in (
        {"category": "Tutoring!"},
        {"category": ""},
        {"text": ""},
        {"text": "长" * 501},
        {"urgency": "yesterday"},
        {"visibility": "everyone"},
        {"when": "x" * 101},
    ):
        assert_problem(await hood.resident.request("POST", c, json=factories.need_body(**bad)), 422)
    assert_problem(await hood.resident.request("GET", f"{c}?status=gone"), 422)
    assert await snapshot(hood, need["id"]) == before

    await hood.resident.request("POST", f"{n}/close")
    assert_problem(await hood.resident.request("POST", f"{n}/close"), 409)
    assert_problem(await hood.leader.request("POST", f"{n}/seconds"), 409)  # it is met
    assert (await hood.leader.request("GET", n)).json()["seconds"] == 1


async def test_an_outsider_is_refused_everywhere(hood: Events) -> None:
    """The outsider leads another community: none of this community's needs are theirs to see or touch."""
    need = await factories.need(hood.resident, hood.community_id)
    before = await snapshot(hood, need["id"])
    c = f"/api/v1/communities/{hood.community_id}/needs"
    for method, path, body in [
        ("GET", c, None),
        ("POST", c, factories.need_body()),
        ("GET", f"/api/v1/needs/{need['id']}", None),
        ("POST", f"/api/v1/needs/{need['id']}/seconds", None),
        ("POST", f"/api/v1/needs/{need['id']}/close", None),
    ]:
        assert_problem(await hood.outsider.request(method, path, json=body), 403)
    assert await snapshot(hood, need["id"]) == before
