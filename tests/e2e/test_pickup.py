"""Pickup: a paid order's code is handed over once, at the right point, by the leader or the point's
staff; a hand-over can be undone; only the buyer sees the code."""

from __future__ import annotations

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Neighbourhood


async def test_codes_are_handed_over_once_at_the_right_point(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    staff = await factories.person(gateway, system)
    await factories.join(staff, n.community["invite_code"])
    gate = await factories.pickup_point(n.leader, n.community_id, name="南门", staff_ids=[staff.user_id])
    shop = await factories.pickup_point(n.leader, n.community_id, name="3号楼便利店")
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"], shop["id"]])

    unchosen = await n.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 1})
    assert_problem(unchosen, 422)  # two points: the buyer must choose
    first = await factories.paid_order(n.resident, deal["id"], pickup_point_id=gate["id"])
    second = await factories.paid_order(n.resident, deal["id"], pickup_point_id=gate["id"])
    code = first["pickup_code"]
    assert len(code) == 6 and set(code) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    assert first["pickup_qr"] == f"linli:pickup:{first['id']}:{code}"
    as_leader = (await n.leader.request("GET", f"/api/v1/orders/{first['id']}")).json()
    assert as_leader["pickup_code"] is None and as_leader["pickup_qr"] is None

    async def hand_over(who, point: dict[str, object], *codes: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
        r = await who.request("POST", "/api/v1/pickups", json={"pickup_point_id": point["id"], "codes": list(codes)})
        assert r.status_code == 200, r.text
        return list(r.json())

    [wrong] = await hand_over(n.leader, shop, code)
    assert wrong["outcome"] == "wrong_point"
    # The household's two orders at once: one typed loosely, one scanned.
    typed = f"{code[:3].lower()} {code[3:].lower()}"
    results = await hand_over(staff, gate, typed, second["pickup_qr"], "ZZZZZZ")
    assert [r["outcome"] for r in results] == ["picked_up", "picked_up", "unknown_code"]
    assert results[0]["order_id"] == first["id"] and results[0]["quantity"] == 1
    [again] = await hand_over(staff, gate, code)
    assert again["outcome"] == "already_picked_up"
    assert (await n.resident.request("GET", f"/api/v1/orders/{first['id']}")).json()["status"] == "picked_up"

    undone = await staff.request("POST", f"/api/v1/pickups/{first['id']}/undo")
    assert undone.status_code == 200 and undone.json()["status"] == "paid"
    assert_problem(await staff.request("POST", f"/api/v1/pickups/{first['id']}/undo"), 409)
    [retaken] = await hand_over(n.leader, gate, code)
    assert retaken["outcome"] == "picked_up"


async def test_only_the_leader_and_the_points_staff_hand_over(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    gate = await factories.pickup_point(n.leader, n.community_id, name="南门")
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"]])
    order = await factories.paid_order(n.resident, deal["id"])  # the only point is chosen for the buyer
    assert order["pickup_point_id"] == gate["id"]
    request = {"pickup_point_id": gate["id"], "codes": [order["pickup_code"]]}
    assert_problem(await n.resident.request("POST", "/api/v1/pickups", json=request), 403)
    stranger = await factories.person(gateway, system)
    elsewhere = await factories.community(stranger, name="别的小区")
    assert_problem(await stranger.request("POST", "/api/v1/pickups", json=request), 403)
    assert_problem(await stranger.request("GET", "/api/v1/pickup-points", params={"community_id": n.community_id}), 403)
    assert_problem(await n.resident.request("POST", f"/api/v1/pickups/{order['id']}/undo"), 403)
    # A deal cannot name another community's pickup point.
    their_point = await factories.pickup_point(stranger, elsewhere["id"])
    body = factories.deal_body(n.community_id, n.product["id"], pickup_point_ids=[their_point["id"]])
    assert_problem(await n.leader.request("POST", "/api/v1/deals", json=body), 422)
    assert (await n.resident.request("GET", f"/api/v1/orders/{order['id']}")).json()["status"] == "paid"


async def test_the_picking_list_says_what_to_hand_to_whom(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    gate = await factories.pickup_point(n.leader, n.community_id, name="南门")
    shop = await factories.pickup_point(n.leader, n.community_id, name="便利店")
    deal = await factories.deal(n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"], shop["id"]])
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, n.community["invite_code"])
    mine = await factories.paid_order(n.resident, deal["id"], quantity=2, pickup_point_id=gate["id"])
    theirs = await factories.paid_order(neighbour, deal["id"], quantity=1, pickup_point_id=gate["id"])
    await factories.paid_order(neighbour, deal["id"], quantity=1, pickup_point_id=shop["id"])  # elsewhere
    await n.leader.request(
        "POST", "/api/v1/pickups", json={"pickup_point_id": gate["id"], "codes": [mine["pickup_code"]]}
    )

    path = f"/api/v1/deals/{deal['id']}/picking-list"
    picking = (await n.leader.request("GET", path, params={"pickup_point_id": gate["id"]})).json()
    assert (picking["pickup_point_name"], picking["total_units"], picking["units_to_hand_over"]) == ("南门", 3, 1)
    assert [(line["order_id"], line["status"]) for line in picking["lines"]] == [
        (mine["id"], "picked_up"),
        (theirs["id"], "paid"),
    ]
    csv_response = await n.leader.request("GET", path, params={"pickup_point_id": gate["id"], "format": "csv"})
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = csv_response.text.strip().splitlines()
    assert rows[0] == "order_id,buyer_id,buyer_name,quantity,status,paid_at,picked_up_at" and len(rows) == 3
    assert rows[2].startswith(f"{theirs['id']},{neighbour.user_id},{picking['lines'][1]['buyer_name']},1,paid,")
    assert_problem(await n.resident.request("GET", path, params={"pickup_point_id": gate["id"]}), 403)


async def test_the_leader_earns_commission_on_picked_up_orders(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    n = await Neighbourhood.build(gateway, system)
    gate = await factories.pickup_point(n.leader, n.community_id)
    deal = await factories.deal(
        n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"]], commission_rate_bps=1000
    )
    order = await factories.paid_order(n.resident, deal["id"], quantity=2)  # 2 × 39.90 元

    async def earned() -> dict[str, object]:
        r = await n.leader.request("GET", "/api/v1/commissions", params={"community_id": n.community_id})
        assert r.status_code == 200, r.text
        return dict(r.json())

    assert (await earned())["total_fen"] == 0, "paid is not yet earned: commission counts on pickup"
    handed = {"pickup_point_id": gate["id"], "codes": [order["pickup_code"]]}
    await n.leader.request("POST", "/api/v1/pickups", json=handed)
    assert (await earned())["total_fen"] == 798  # 10% of 7,980 fen
    await n.leader.request("POST", f"/api/v1/pickups/{order['id']}/undo")
    after_undo = await earned()
    assert after_undo["total_fen"] == 0
    assert [e["amount_fen"] for e in after_undo["entries"]] == [798, -798]
    assert [d["amount_fen"] for d in after_undo["by_day"]] == [0]
    assert_problem(await n.resident.request("GET", "/api/v1/commissions", params={"community_id": n.community_id}), 403)
    bad_period = {"community_id": n.community_id, "since": "2026-12-01T00:00:00Z", "until": "2026-11-01T00:00:00Z"}
    assert_problem(await n.leader.request("GET", "/api/v1/commissions", params=bad_period), 422)


async def test_after_sales_refunds_part_and_takes_back_the_commission(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    n = await Neighbourhood.build(gateway, system)
    gate = await factories.pickup_point(n.leader, n.community_id)
    deal = await factories.deal(
        n.leader, n.community_id, n.product["id"], pickup_point_ids=[gate["id"]], commission_rate_bps=1000
    )
    order = await factories.paid_order(n.resident, deal["id"], quantity=2)
    complaint = {"order_id": order["id"], "reason": "一盒压坏了", "photo_urls": ["https://cdn.example.com/box.jpg"]}
    assert_problem(await n.resident.request("POST", "/api/v1/after-sales", json=complaint), 409)  # not picked up yet
    await n.leader.request(
        "POST", "/api/v1/pickups", json={"pickup_point_id": gate["id"], "codes": [order["pickup_code"]]}
    )

    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, n.community["invite_code"])
    assert_problem(await neighbour.request("POST", "/api/v1/after-sales", json=complaint), 403)
    opened = await n.resident.request("POST", "/api/v1/after-sales", json=complaint)
    assert opened.status_code == 201 and opened.json()["status"] == "open"
    assert_problem(await n.resident.request("POST", "/api/v1/after-sales", json=complaint), 409)  # one per order
    case = opened.json()["id"]
    listed = (await neighbour.request("GET", "/api/v1/after-sales", params={"community_id": n.community_id})).json()
    assert listed == []  # residents see only their own

    assert_problem(
        await n.resident.request("POST", f"/api/v1/after-sales/{case}/approve", json={"refund_fen": 3990}), 403
    )
    too_much = await n.leader.request("POST", f"/api/v1/after-sales/{case}/approve", json={"refund_fen": 99_999})
    assert_problem(too_much, 422)
    approved = await n.leader.request("POST", f"/api/v1/after-sales/{case}/approve", json={"refund_fen": 3990})
    assert approved.json()["status"] == "approved" and approved.json()["refund_fen"] == 3990
    assert_problem(await n.leader.request("POST", f"/api/v1/after-sales/{case}/reject", json={"note": "晚了"}), 409)
    earned = (await n.leader.request("GET", "/api/v1/commissions", params={"community_id": n.community_id})).json()
    assert [e["amount_fen"] for e in earned["entries"]] == [798, -399] and earned["total_fen"] == 399
