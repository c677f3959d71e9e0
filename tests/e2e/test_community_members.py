"""Communities and their members through the gateway: an operator opens a community and names its
leader; residents ask to join and a leader answers; anyone leaves; leaders hand out roles and remove
members, who lose access at once (their token still names the community); a leader has no power in
another community. Every refusal is a clear 4xx that changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Events


@pytest.fixture
async def hood(gateway: httpx.AsyncClient, system: LocalSystem) -> Events:
    return await Events.build(gateway, system)


def token_roles(member: Session) -> dict[str, list[str]]:
    """The roles a member's access token carries (what services other than community go by)."""
    claims = jwt.decode(member.tokens["access_token"], options={"verify_signature": False})
    return dict(claims.get("roles") or {})


async def event_types(system: LocalSystem, subject: str, at_least: int) -> list[str]:
    """The types of community's events about `subject`, oldest first, once there are `at_least`."""

    async def read() -> list[str] | None:
        found = [event.type for event in await published(system, "community.>", subject=subject)]
        return found if len(found) >= at_least else None

    return list(await until(read))


async def members(hood: Events) -> list[tuple[str, str]]:
    response = await hood.leader.request("GET", f"/api/v1/communities/{hood.community_id}/members")
    assert response.status_code == 200, response.text
    return sorted((row["user_id"], row["role"]) for row in response.json())


async def test_an_operator_opens_a_community_and_names_its_leader(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    operator = await factories.operator(gateway, system)
    leader, someone = await factories.person(gateway, system), await factories.person(gateway, system)
    response = await operator.request(
        "POST", "/api/v1/communities", json={"name": "翠湖小区", "address": "湖滨路 1 号", "leader_id": leader.user_id}
    )
    assert response.status_code == 201, response.text
    community_id = response.json()["id"]
    await leader.refresh()
    assert token_roles(leader) == {community_id: ["leader"]}
    shown = (await leader.request("GET", f"/api/v1/communities/{community_id}")).json()
    assert shown["invite_code"]  # the named leader runs it
    rows = (await leader.request("GET", f"/api/v1/communities/{community_id}/members")).json()
    assert [(r["user_id"], r["role"]) for r in rows] == [(leader.user_id, "leader")]  # not the operator
    created = await event_types(system, community_id, at_least=2)
    assert created[:2] == ["community.community.created", "community.member.joined"]

    # Anyone else may open a community only to lead it themselves.
    body = {"name": "冒名小区", "leader_id": someone.user_id}
    assert_problem(await leader.request("POST", "/api/v1/communities", json=body), 403)
    await someone.refresh()
    assert token_roles(someone) == {}
    assert_problem(await operator.request("POST", "/api/v1/communities", json={"name": "x", "leader_id": "bob"}), 422)


async def test_asking_to_join_and_a_leader_answering(
    hood: Events, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    asker, declined = await factories.person(gateway, system), await factories.person(gateway, system)
    c = f"/api/v1/communities/{hood.community_id}"
    request = await factories.ask_to_join(asker, hood.community_id, message="我住 3 栋", display_name="3栋 小张")
    assert request["status"] == "pending"
    assert_problem(await asker.request("POST", f"{c}/membership-requests", json={}), 409)  # one open request
    assert_problem(await hood.resident.request("POST", f"{c}/membership-requests", json={}), 409)  # a member
    assert_problem(await asker.request("POST", f"/api/v1/communities/{UNKNOWN_ID}/membership-requests", json={}), 404)
    assert_problem(await asker.request("GET", c), 403)  # not in yet

    # Only this community's leaders see and answer requests.
    for stranger in (hood.resident, hood.outsider, asker):
        assert_problem(await stranger.request("GET", f"{c}/membership-requests"), 403)
        assert_problem(await stranger.request("POST", f"{c}/membership-requests/{request['id']}/approve"), 403)
    pending = (await hood.leader.request("GET", f"{c}/membership-requests")).json()
    assert [r["id"] for r in pending] == [request["id"]]
    other = f"/api/v1/communities/{hood.other['id']}/membership-requests/{request['id']}/approve"
    assert_problem(await hood.outsider.request("POST", other), 404)  # not a request of their community

    approved = await hood.leader.request("POST", f"{c}/membership-requests/{request['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert_problem(await hood.leader.request("POST", f"{c}/membership-requests/{request['id']}/decline"), 409)
    await asker.refresh()
    assert token_roles(asker) == {hood.community_id: ["resident"]}
    assert (asker.user_id, "resident") in await members(hood)
    me = (await asker.request("PATCH", f"{c}/members/me", json={"display_name": "3栋 小张"})).json()
    assert me["display_name"] == "3栋 小张"

    no = await factories.ask_to_join(declined, hood.community_id)
    answered = await hood.leader.request("POST", f"{c}/membership-requests/{no['id']}/decline")
    assert answered.json()["status"] == "declined"
    assert_problem(await declined.request("GET", c), 403)
    assert (await hood.leader.request("GET", f"{c}/membership-requests")).json() == []
    assert_problem(await hood.leader.request("POST", f"{c}/membership-requests/{no['id']}/maybe"), 422)
    types = await event_types(system, no["id"], at_least=2)
    assert types == ["community.membership.requested", "community.membership.declined"]


async def test_leaving_takes_access_at_once_but_a_community_keeps_a_leader(hood: Events, system: LocalSystem) -> None:
    c = f"/api/v1/communities/{hood.community_id}"
    assert token_roles(hood.resident) == {hood.community_id: ["resident"]}
    left = await hood.resident.request("DELETE", f"{c}/members/me")
    assert left.status_code == 204, left.text
    # The resident's token still names the community; community goes by its memberships.
    assert token_roles(hood.resident) == {hood.community_id: ["resident"]}
    for path in ("", "/events", "/needs", "/swaps"):
        assert_problem(await hood.resident.request("GET", f"{c}{path}"), 403)
    assert_problem(await hood.resident.request("DELETE", f"{c}/members/me"), 403)
    assert (hood.resident.user_id, "resident") not in await members(hood)

    assert_problem(await hood.leader.request("DELETE", f"{c}/members/me"), 409)  # the last leader stays
    assert (hood.leader.user_id, "leader") in await members(hood)
    assert "community.member.left" in await event_types(system, hood.community_id, at_least=4)


async def test_a_removed_member_loses_access_at_once(hood: Events, system: LocalSystem) -> None:
    c = f"/api/v1/communities/{hood.community_id}"
    need = await factories.need(hood.resident, hood.community_id)
    swap = await factories.swap(hood.resident, hood.community_id)
    event = await factories.offline_event(hood.leader, hood.community_id)
    before = await members(hood)

    # Only a leader of this community removes, and not themselves (they leave).
    for stranger in (hood.neighbour, hood.outsider):
        assert_problem(await stranger.request("DELETE", f"{c}/members/{hood.resident.user_id}"), 403)
    assert_problem(await hood.leader.request("DELETE", f"{c}/members/{hood.leader.user_id}"), 409)
    assert_problem(await hood.leader.request("DELETE", f"{c}/members/{hood.outsider.user_id}"), 404)
    assert await members(hood) == before

    removed = await hood.leader.request("DELETE", f"{c}/members/{hood.resident.user_id}")
    assert removed.status_code == 204, removed.text
    assert hood.community_id in token_roles(hood.resident)  # the token has not caught up; community has
    for path in (
        c,
        f"{c}/needs",
        f"{c}/swaps",
        f"{c}/events",
        f"/api/v1/needs/{need['id']}",
        f"/api/v1/swaps/{swap['id']}",
        f"/api/v1/community-events/{event['id']}",
    ):
        assert_problem(await hood.resident.request("GET", path), 403)
    assert_problem(await hood.resident.request("POST", f"{c}/needs", json=factories.need_body()), 403)
    assert_problem(
        await hood.resident.request("POST", f"/api/v1/community-events/{event['id']}/registrations", json={}), 403
    )
    await hood.resident.refresh()
    assert token_roles(hood.resident) == {}
    assert "community.member.removed" in await event_types(system, hood.community_id, at_least=4)

    # The invite code no longer lets them back in; a leader's approval does.
    rejoin = await hood.resident.request(
        "POST", "/api/v1/communities/join", json={"invite_code": hood.community["invite_code"]}
    )
    assert_problem(rejoin, 403)
    request = await factories.ask_to_join(hood.resident, hood.community_id)
    await hood.leader.request("POST", f"{c}/membership-requests/{request['id']}/approve")
    await hood.resident.refresh()
    assert (await hood.resident.request("GET", f"/api/v1/needs/{need['id']}")).status_code == 200


async def test_leaders_hand_out_roles_operators_name_leaders(
    hood: Events, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    c = f"/api/v1/communities/{hood.community_id}"
    roles = f"{c}/members/{hood.neighbour.user_id}/roles"
    rows = await factories.grant_role(hood.leader, hood.community_id, hood.neighbour, "moderator")
    assert sorted(r["role"] for r in rows) == ["moderator", "resident"]
    assert all(r["display_name"] == "5栋 李叔" for r in rows)
    again = await hood.leader.request("POST", roles, json={"role": "moderator"})  # harmless
    assert sorted(r["role"] for r in again.json()) == ["moderator", "resident"]
    assert sorted(token_roles(hood.neighbour)[hood.community_id]) == ["moderator", "resident"]

    before = await members(hood)
    resident_roles = f"{c}/members/{hood.resident.user_id}/roles"
    refusals: list[tuple[Session, str, str, Any, int]] = [
        (hood.neighbour, "POST", resident_roles, {"role": "moderator"}, 403),  # a moderator is no leader
        (hood.resident, "DELETE", f"{roles}/moderator", None, 403),
        (hood.leader, "POST", resident_roles, {"role": "leader"}, 403),  # operators name leaders
        (hood.leader, "POST", resident_roles, {"role": "king"}, 422),
        (hood.leader, "DELETE", f"{resident_roles}/resident", None, 422),
        (hood.leader, "DELETE", f"{resident_roles}/moderator", None, 404),  # they are no moderator
        (hood.leader, "POST", f"{c}/members/{hood.outsider.user_id}/roles", {"role": "moderator"}, 404),
        (hood.leader, "DELETE", f"{c}/members/{hood.leader.user_id}/roles/leader", None, 403),
    ]
    for who, method, path, body, status in refusals:
        assert_problem(await who.request(method, path, json=body), status)
    assert await members(hood) == before

    revoked = await hood.leader.request("DELETE", f"{roles}/moderator")
    assert [r["role"] for r in revoked.json()] == ["resident"]
    property_manager = await factories.grant_role(hood.leader, hood.community_id, hood.resident, "property_manager")
    assert sorted(r["role"] for r in property_manager) == ["property_manager", "resident"]

    operator = await factories.operator(gateway, system)
    await factories.grant_role(operator, hood.community_id, hood.neighbour, "leader")
    deputy = await hood.neighbour.request("DELETE", f"{c}/members/{hood.resident.user_id}/roles/property_manager")
    assert deputy.status_code == 200, deputy.text
    assert_problem(await hood.neighbour.request("DELETE", f"{c}/members/{hood.leader.user_id}"), 403)  # a leader
    both = await hood.leader.request("DELETE", f"{c}/members/{hood.leader.user_id}/roles/leader")
    assert_problem(both, 403)
    gone = await operator.request("DELETE", f"{c}/members/{hood.leader.user_id}/roles/leader")
    assert [r["role"] for r in gone.json()] == ["resident"]  # they stay, as a resident
    last = await operator.request("DELETE", f"{c}/members/{hood.neighbour.user_id}/roles/leader")
    assert_problem(last, 409)  # a community keeps a leader
    types = await event_types(system, hood.community_id, at_least=9)
    assert {"community.member.role_granted", "community.member.role_revoked"} <= set(types)


async def test_a_leader_has_no_power_in_another_community(hood: Events) -> None:
    """The outsider leads another community: here every members endpoint refuses them (403)."""
    c = f"/api/v1/communities/{hood.community_id}"
    resident = hood.resident.user_id
    request = await factories.ask_to_join(hood.outsider, hood.community_id)  # asking is anyone's right
    before = (await members(hood), (await hood.leader.request("GET", f"{c}/membership-requests")).json())
    for method, path, body in [
        ("GET", c, None),
        ("GET", f"{c}/members", None),
        ("PATCH", f"{c}/members/me", {"display_name": "冒名"}),
        ("DELETE", f"{c}/members/me", None),
        ("DELETE", f"{c}/members/{resident}", None),
        ("POST", f"{c}/members/{resident}/roles", {"role": "moderator"}),
        ("DELETE", f"{c}/members/{resident}/roles/moderator", None),
        ("GET", f"{c}/membership-requests", None),
        ("POST", f"{c}/membership-requests/{request['id']}/approve", None),
        ("POST", f"{c}/membership-requests/{request['id']}/decline", None),
    ]:
        assert_problem(await hood.outsider.request(method, path, json=body), 403)
    assert (await members(hood), (await hood.leader.request("GET", f"{c}/membership-requests")).json()) == before
