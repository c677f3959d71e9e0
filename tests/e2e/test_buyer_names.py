"""Buyers' names (群昵称) in the 接龙 and on picking lists: members choose the name neighbours know
them by in each community; leaders see it, other residents see 邻居 n, a buyer always sees their own."""

from __future__ import annotations

import re
from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Neighbourhood


async def members(leader: Session, community_id: str) -> dict[str, str]:
    response = await leader.request("GET", f"/api/v1/communities/{community_id}/members")
    assert response.status_code == 200, response.text
    return {m["user_id"]: m["display_name"] for m in response.json()}


async def test_members_choose_their_names_and_can_change_them(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    auntie = await factories.person(gateway, system)
    joined = await factories.join(auntie, n.community["invite_code"], display_name="  3栋 王阿姨 ")
    assert joined["display_name"] == "3栋 王阿姨"
    names = await members(n.leader, n.community_id)
    assert names[auntie.user_id] == "3栋 王阿姨"
    assert re.fullmatch(r"邻居\d{4}", names[n.resident.user_id]), "a default name until they choose one"
    again = await factories.join(auntie, n.community["invite_code"], display_name="别的名字")
    assert again["display_name"] == "3栋 王阿姨"  # joining twice changes nothing; renaming does

    renamed = await factories.rename(n.resident, n.community_id, "5栋 李叔")
    assert renamed["display_name"] == "5栋 李叔"
    assert (await members(n.leader, n.community_id))[n.resident.user_id] == "5栋 李叔"

    path = f"/api/v1/communities/{n.community_id}/members/me"
    for bad in ({"display_name": ""}, {"display_name": "   "}, {"display_name": "名" * 33}, {}):
        assert_problem(await n.resident.request("PATCH", path, json=bad), 422)
    stranger = await factories.person(gateway, system)
    assert_problem(await stranger.request("PATCH", path, json={"display_name": "路人"}), 403)
    unknown = f"/api/v1/communities/{UNKNOWN_ID}/members/me"
    assert_problem(await n.resident.request("PATCH", unknown, json={"display_name": "路人"}), 404)
    assert (await members(n.leader, n.community_id))[n.resident.user_id] == "5栋 李叔"


async def test_leaders_see_names_in_the_chain_and_on_the_picking_list(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    await factories.rename(n.resident, n.community_id, "5栋 李叔")
    auntie = await factories.person(gateway, system)
    await factories.join(auntie, n.community["invite_code"], display_name="3栋 王阿姨")
    gate = await factories.pickup_point(n.leader, n.community_id, name="南门")
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"]])
    await factories.paid_order(n.resident, deal["id"], quantity=2)
    await factories.paid_order(auntie, deal["id"])
    chain_path = f"/api/v1/deals/{deal['id']}/chain"

    async def chain(who: Session, wanted: list[str]) -> list[dict[str, Any]] | None:
        entries = (await who.request("GET", chain_path)).json()
        return entries if [e["name"] for e in entries] == wanted else None

    # Orders learns names from community's events: eventually the leader sees them.
    await until(lambda: chain(n.leader, ["5栋 李叔", "3栋 王阿姨"]))
    mine = await chain(n.resident, ["5栋 李叔", "邻居 2"])
    assert mine is not None and [e["buyer"] for e in mine] == [n.resident.user_id, "邻居 2"]
    assert await chain(auntie, ["邻居 1", "3栋 王阿姨"])

    await factories.rename(auntie, n.community_id, "3栋 王奶奶")
    await until(lambda: chain(n.leader, ["5栋 李叔", "3栋 王奶奶"]))

    picking_path = f"/api/v1/deals/{deal['id']}/picking-list"
    picking = (await n.leader.request("GET", picking_path, params={"pickup_point_id": gate["id"]})).json()
    assert [(line["buyer_id"], line["buyer_name"]) for line in picking["lines"]] == [
        (n.resident.user_id, "5栋 李叔"),
        (auntie.user_id, "3栋 王奶奶"),
    ]
    csv = await n.leader.request("GET", picking_path, params={"pickup_point_id": gate["id"], "format": "csv"})
    rows = csv.text.strip().splitlines()
    assert rows[0] == "order_id,buyer_id,buyer_name,quantity,status,paid_at,picked_up_at"
    assert rows[2].startswith(f"{picking['lines'][1]['order_id']},{auntie.user_id},3栋 王奶奶,1,paid,")
    assert_problem(await auntie.request("GET", picking_path, params={"pickup_point_id": gate["id"]}), 403)


async def test_a_deal_for_two_communities_names_each_buyer_as_their_community_knows_them(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    other = await factories.community(n.leader, name="翠湖小区")
    await factories.rename(n.resident, n.community_id, "5栋 李叔")
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, other["invite_code"], display_name="翠湖 张姐")
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], also_for=[other["id"]])
    await factories.paid_order(n.resident, deal["id"])
    await factories.paid_order(neighbour, deal["id"])

    async def chain(who: Session) -> list[str]:
        return [e["name"] for e in (await who.request("GET", f"/api/v1/deals/{deal['id']}/chain")).json()]

    async def named() -> bool:
        return await chain(n.leader) == ["5栋 李叔", "翠湖 张姐"]

    await until(named)
    assert await chain(neighbour) == ["邻居 1", "翠湖 张姐"]
    assert await chain(n.resident) == ["5栋 李叔", "邻居 2"]
