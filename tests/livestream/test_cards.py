"""Cards: a deal with live stock and a buy button that places a real order, sold out at once; a
service from the directory with its credential badge, and "I need this" leads; an event sign-up;
a testimonial tied to a verified purchase. Only the host and moderators put cards up."""

from __future__ import annotations

from typing import Any

import httpx

from deploy.client import Session
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory, LiveRoom
from tests.livestream.room import Room


def card_frame(card_id: str, **expected: Any):  # type: ignore[no-untyped-def]
    """A predicate: a `card` frame for this card whose data has the expected values."""

    def matches(frame: dict[str, Any]) -> bool:
        if frame["type"] != "card" or frame["data"]["card"]["id"] != card_id:
            return False
        return all(frame["data"]["card"].get(k) == v for k, v in expected.items())

    return matches


async def test_a_deal_card_shows_live_stock_and_sells(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    product = await factories.product(r.leader, r.community_id, images=["https://cdn.example.com/rice.jpg"])
    deal = await factories.deal(r.leader, r.community_id, product["id"], stock=3, per_person_limit=2)
    viewer = await Room.join(system, r.session_id, r.resident)
    await viewer.next("snapshot")

    added = await factories.card(r.leader, r.session_id, "deal", deal["id"], pin=True)
    cards = (await viewer.next("cards"))["data"]
    assert cards["pinned_id"] == added["id"]
    shown = cards["items"][0]
    assert shown | {"opens_at": None} == {
        "id": added["id"],
        "kind": "deal",
        "position": 1,
        "pinned": True,
        "deal_id": deal["id"],
        "product_id": product["id"],
        "title": product["name"],
        "image": "https://cdn.example.com/rice.jpg",
        "price_fen": 3990,
        "stock": 3,
        "left": 3,
        "sold_out": False,
        "closed": False,
        "per_person_limit": 2,
        "opens_at": None,
        "closes_at": shown["closes_at"],
        "buy": {
            "method": "POST",
            "path": "/api/v1/orders",
            "body": {"deal_id": deal["id"]},
            "idempotency_key": "required",
        },
    }
    assert shown["closes_at"][:19] == deal["closes_at"][:19]  # the countdown's end

    # the buy button: a real order through the gateway, with an Idempotency-Key
    buy = shown["buy"]
    order = await r.resident.request(buy["method"], buy["path"], json={**buy["body"], "quantity": 2})
    assert order.status_code == 201, order.text
    await factories.until_status(r.resident, order.json()["id"], "paid")
    await viewer.next(card_frame(added["id"], left=1, sold_out=False))
    await factories.paid_order(r.residents[1], deal["id"])
    await viewer.next(card_frame(added["id"], left=0, sold_out=True))
    late = await Room.join(system, r.session_id, r.residents[1])
    assert (await late.next("snapshot"))["data"]["cards"]["items"][0]["sold_out"] is True


async def test_only_staff_put_cards_up(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    product = await factories.product(r.leader, r.community_id)
    deal = await factories.deal(r.leader, r.community_id, product["id"])
    url = f"/api/v1/sessions/{r.session_id}/cards"
    for who in (r.resident, r.outsider):
        assert_problem(await who.request("POST", url, json={"kind": "deal", "ref_id": deal["id"]}), 403)
    added = await factories.card(factories.moderator(r.resident, r.community_id), r.session_id, "deal", deal["id"])
    assert_problem(await r.resident.request("POST", f"{url}/{added['id']}/pin"), 403)
    assert_problem(await r.outsider.request("GET", url), 403)
    # bad input: an unknown kind, a malformed id, another community's deal, the same card twice,
    # event details on a deal card
    assert_problem(await r.leader.request("POST", url, json={"kind": "coupon", "ref_id": deal["id"]}), 422)
    assert_problem(await r.leader.request("POST", url, json={"kind": "deal", "ref_id": "42"}), 422)
    their_product = await factories.product(r.outsider, r.elsewhere["id"])
    their_deal = await factories.deal(r.outsider, r.elsewhere["id"], their_product["id"])
    for _ in range(20):  # refused whether or not livestream has heard of it yet
        theirs = await r.leader.request("POST", url, json={"kind": "deal", "ref_id": their_deal["id"]})
        assert_problem(theirs, 404)
    assert_problem(await r.leader.request("POST", url, json={"kind": "deal", "ref_id": deal["id"]}), 409)
    event_on_deal = {"kind": "deal", "ref_id": deal["id"], "event": {"title": "x", "starts_at": "2030-01-01T00:00:00Z"}}
    assert_problem(await r.leader.request("POST", url, json=event_on_deal), 422)
    assert_problem(await r.leader.request("POST", f"{url}/{'0' * 32}/pin"), 404)
    listed = (await r.resident.request("GET", url)).json()
    assert [c["id"] for c in listed["items"]] == [added["id"]] and listed["pinned_id"] is None


async def test_a_service_card_shows_its_badge_and_takes_leads(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    operator = await factories.operator(gateway, system)
    await factories.qualification(d.owner, d.provider["id"], verified_by=operator)
    await factories.endorse(d.leader, d.provider["id"], d.community_id, note="我家用了三年，靠谱")
    session = await factories.on_air(d.leader, d.community_id, kind="service_introduction")
    sid = session["id"]
    viewer = await Room.join(system, sid, d.resident)
    await viewer.next("snapshot")

    async def badged() -> dict[str, Any] | None:
        cards = (await d.leader.request("GET", f"/api/v1/sessions/{sid}/cards")).json()["items"]
        return (
            cards[0]
            if cards and cards[0]["badge"]["endorsed"] and cards[0]["badge"]["verified_qualification"]
            else None
        )

    added = await factories.card(d.leader, sid, "service", d.offering["id"], pin=True)
    shown = await factories.until(badged)
    assert shown["id"] == added["id"]
    assert (shown["name"], shown["provider_name"], shown["price_fen"]) == ("上门深度保洁", "阳光家政服务社", 29900)
    assert shown["badge"]["endorsement_note"] == "我家用了三年，靠谱" and shown["badge"]["verified_domains"] == [
        "health"
    ]
    assert "phone" not in str(shown) and "+86" not in str(shown)

    need = await viewer.ask("need", {"card_id": added["id"], "consent": True, "note": "周末上门"})
    assert need["type"] == "ack" and need["data"]["new"] is True
    assert (await viewer.next("notice"))["data"]["kind"] == "lead_captured"
    again = await viewer.ask("need", {"card_id": added["id"], "consent": True})
    assert again["data"] == {"id": again["data"]["id"], "lead_id": need["data"]["lead_id"], "new": False}

    async def captured() -> list[Any]:
        return await published(system, "livestream.lead.captured", subject=need["data"]["lead_id"])

    (event,) = await factories.until(captured)
    assert (event.data.route_to, event.data.route_to_id, event.data.consent) == ("provider", d.provider["id"], True)
    assert (event.data.offering_id, event.data.category, event.data.viewer_id) == (
        d.offering["id"],
        "housekeeping",
        d.resident.user_id,
    )
    leads = (await d.leader.request("GET", f"/api/v1/sessions/{sid}/leads")).json()
    assert [(lead["viewer_id"], lead["note"], lead["consent"]) for lead in leads] == [
        (d.resident.user_id, "周末上门", True)
    ]
    assert_problem(await d.resident.request("GET", f"/api/v1/sessions/{sid}/leads"), 403)

    # a suspended provider no longer goes on a card, nor on air
    await factories.move(d.leader, d.listing["id"], "suspended", "投诉待查")

    async def refused() -> bool:
        body = {"kind": "service", "ref_id": d.offering["id"]}
        other = await factories.on_air(d.leader, d.community_id)
        return (await d.leader.request("POST", f"/api/v1/sessions/{other['id']}/cards", json=body)).status_code == 409

    await factories.until(refused)


async def test_a_keyword_in_chat_becomes_a_lead_for_the_leader(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    settings = {"lead_keywords": ["保洁", "家教"]}
    assert (await r.leader.request("PATCH", f"/api/v1/sessions/{r.session_id}/room", json=settings)).status_code == 200
    viewer = await Room.join(system, r.session_id, r.resident)
    assert (await viewer.next("snapshot"))["data"]["room"]["lead_keywords"] == ["保洁", "家教"]
    other = await Room.join(system, r.session_id, r.residents[1])
    await other.next("snapshot")
    said = await viewer.ask("chat", {"text": "想找个保洁阿姨", "consent": False})
    assert said["type"] == "ack"
    notice = await viewer.next("notice")
    assert notice["data"]["kind"] == "lead_captured" and notice["data"]["keyword"] == "保洁"
    chat = await other.next("chat")  # the chat itself is seen; the lead (and who asked) is not
    assert chat["data"]["text"] == "想找个保洁阿姨"
    assert not [f for f in await other.quiet(0.5) if f["type"] == "notice"]
    leads = (await r.leader.request("GET", f"/api/v1/sessions/{r.session_id}/leads")).json()
    assert [(lead["source"], lead["keyword"], lead["route_to"], lead["consent"]) for lead in leads] == [
        ("keyword", "保洁", "leader", False)
    ]


async def test_an_event_card_signs_up_in_one_tap(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    event = await factories.offline_event(r.leader, r.community_id, capacity=2)
    viewer = await Room.join(system, r.session_id, r.resident)
    await viewer.next("snapshot")
    added = await factories.card(r.leader, r.session_id, "event", event["id"], pin=True)
    shown = (await viewer.next("cards"))["data"]["items"][0]
    assert (shown["title"], shown["capacity_left"], shown["place"]) == ("周六跳蚤市场", 2, "南门广场")
    assert shown["signup_path"] == f"/api/v1/community-events/{event['id']}/registrations"
    tapped = await r.resident.request("POST", shown["signup_path"], json={})
    assert tapped.status_code == 201, tapped.text
    await viewer.next(card_frame(added["id"], capacity_left=1))
    # an event community has not announced: what the host says of it
    generic = {"title": "端午包粽子", "starts_at": "2030-06-01T02:00:00Z", "capacity_left": 20}
    other = await factories.card(r.leader, r.session_id, "event", "e" * 32, event=generic)
    assert (other["title"], other["capacity_left"], other["starts_at"]) == ("端午包粽子", 20, "2030-06-01T02:00:00Z")
    unknown = await r.leader.request(
        "POST", f"/api/v1/sessions/{r.session_id}/cards", json={"kind": "event", "ref_id": "f" * 32}
    )
    assert_problem(unknown, 404)


async def picked_up_order(leader: Session, buyer: Session, community_id: str) -> dict[str, Any]:
    point = await factories.pickup_point(leader, community_id)
    product = await factories.product(leader, community_id, name="赣南脐橙")
    deal = await factories.deal(leader, community_id, product["id"], pickup_point_ids=[point["id"]])
    order = await factories.paid_order(buyer, deal["id"])
    handed = await leader.request(
        "POST", "/api/v1/pickups", json={"pickup_point_id": point["id"], "codes": [order["pickup_code"]]}
    )
    assert handed.status_code == 200, handed.text
    return order


async def test_a_testimonial_links_to_a_verified_purchase(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    order = await picked_up_order(r.leader, r.resident, r.community_id)
    url = f"/api/v1/sessions/{r.session_id}/testimonials"
    body = {"order_id": order["id"], "text": "橙子特别甜，孩子一天吃三个"}

    async def told() -> httpx.Response | None:
        response = await r.resident.request("POST", url, json=body)
        return response if response.status_code == 201 else None  # livestream learns the pickup from events

    testimonial = (await factories.until(told)).json()
    assert (testimonial["product_name"], testimonial["picked_up"]) == ("赣南脐橙", True)
    assert_problem(await r.resident.request("POST", url, json=body), 409)  # once per order
    assert_problem(await r.residents[1].request("POST", url, json=body), 404)  # not their order
    unpaid = await r.residents[1].request("POST", url, json={**body, "text": "还没买过也想说两句"})
    assert_problem(unpaid, 404)
    viewer = await Room.join(system, r.session_id, r.residents[1])
    await viewer.next("snapshot")
    added = await factories.card(r.leader, r.session_id, "testimonial", testimonial["id"], pin=True)
    shown = (await viewer.next("cards"))["data"]["items"][0]
    assert shown["id"] == added["id"] and shown["text"] == body["text"]
    assert shown["purchase"] == {"order_id": order["id"], "product_name": "赣南脐橙", "picked_up": True}
