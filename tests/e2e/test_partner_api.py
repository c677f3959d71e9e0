"""The partner API: a provider's key sees and changes only that provider's bookings, slots,
subscriptions and deliveries (the gateway pins the provider; orders checks again), and every
state-changing call must be signed with the key's secret, within the tolerance, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem, free_port
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory, PartnerKey


class Market:
    """Two providers listed in one community, each with a key, and a resident's booking of each."""

    d: Directory
    mine: PartnerKey
    theirs: PartnerKey
    my_booking: dict[str, Any]
    their_booking: dict[str, Any]


@pytest.fixture
async def market(gateway: httpx.AsyncClient, system: LocalSystem) -> Market:
    m = Market()
    m.d = d = await Directory.build(gateway, system)
    other_owner = await factories.person(gateway, system)
    other = await factories.provider(other_owner, name="巧手维修")
    other_offering = await factories.offering(other_owner, other["id"], name="上门修水管", category="repair")
    await factories.listed(other_owner, d.leader, other["id"], d.community_id)
    m.mine = await factories.partner_key(gateway, d.owner, d.provider["id"])
    m.theirs = await factories.partner_key(gateway, other_owner, other["id"])
    m.my_booking = await factories.booking(d.resident, d.community_id, d.offering["id"])
    m.their_booking = await factories.booking(d.resident, d.community_id, other_offering["id"])
    return m


async def status_of(m: Market, booking: dict[str, Any]) -> str:
    response = await m.d.resident.request("GET", f"/api/v1/bookings/{booking['id']}")
    return str(response.json()["status"])


async def test_a_key_sees_only_its_providers_bookings(market: Market, system: LocalSystem) -> None:
    m = market
    mine = await m.mine.request("GET", "/partner/v1/bookings")
    assert [b["id"] for b in mine.json()] == [m.my_booking["id"]]
    assert mine.json()[0]["resident_id"] is None, "a provider learns the booking, not who made it"
    # Naming another provider changes nothing: the gateway pins the key's own.
    pinned = await m.mine.request("GET", "/partner/v1/bookings", params={"provider_id": m.theirs.provider_id})
    assert [b["id"] for b in pinned.json()] == [m.my_booking["id"]]
    assert (await m.mine.request("GET", f"/partner/v1/bookings/{m.my_booking['id']}")).status_code == 200
    assert_problem(await m.mine.request("GET", f"/partner/v1/bookings/{m.their_booking['id']}"), 404)
    # Orders checks again: a partner token of one provider, straight to orders, gets nothing of another's.
    async with factories.partner(system, m.mine.provider_id) as orders:
        assert_problem(await orders.get("/bookings", params={"provider_id": m.theirs.provider_id}), 403)
        assert_problem(await orders.get(f"/bookings/{m.their_booking['id']}"), 404)
        assert_problem(await orders.post(f"/bookings/{m.their_booking['id']}/confirm"), 404)
    assert await status_of(m, m.their_booking) == "requested"


async def test_a_key_changes_only_its_providers_bookings(market: Market) -> None:
    m = market
    theirs = m.their_booking["id"]
    for action, body in (("confirm", None), ("decline", {"reason": "排不开"}), ("cancel", {"reason": "临时有事"})):
        assert_problem(await m.mine.signed("POST", f"/partner/v1/bookings/{theirs}/{action}", body), 404)
    assert await status_of(m, m.their_booking) == "requested"

    confirmed = await m.mine.signed("POST", f"/partner/v1/bookings/{m.my_booking['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    # Orders' own rules come back as they are: a booking is completed once its slot has started.
    early = await m.mine.signed("POST", f"/partner/v1/bookings/{m.my_booking['id']}/complete")
    assert "started" in str(assert_problem(early, 409)["detail"])
    cancelled = await m.mine.signed("POST", f"/partner/v1/bookings/{m.my_booking['id']}/cancel", {"reason": "下雨"})
    assert cancelled.json()["status"] == "cancelled"
    declined = await m.theirs.signed("POST", f"/partner/v1/bookings/{theirs}/decline", {"reason": "师傅生病"})
    assert declined.json()["status"] == "declined"


async def test_signed_calls_refuse_bad_signatures_and_stale_timestamps(market: Market) -> None:
    m = market
    path = f"/partner/v1/bookings/{m.my_booking['id']}/decline"
    body = {"reason": "师傅生病"}
    long_ago = datetime.now(UTC) - timedelta(minutes=6)
    ahead = datetime.now(UTC) + timedelta(minutes=6)
    for signing in ({"secret": m.theirs.secret}, {"at": long_ago}, {"at": ahead}):
        assert_problem(await m.mine.signed("POST", path, body, **signing), 401)
    assert_problem(await m.mine.request("POST", path, json=body), 401)  # not signed at all
    # Signed for one body, sent with another.
    headers = factories.signed_headers(m.mine.secret, '{"reason": "师傅生病"}')
    assert_problem(await m.mine.request("POST", path, content='{"reason": "不想做"}', headers=headers), 401)
    # A webhook-id is good once: a captured confirm cannot be replayed as a complete.
    used = factories.signed_headers(m.mine.secret, "")
    confirm = f"/partner/v1/bookings/{m.my_booking['id']}/confirm"
    assert (await m.mine.request("POST", confirm, content="", headers=used)).status_code == 200
    replayed = await m.mine.request("POST", confirm.replace("confirm", "complete"), content="", headers=used)
    assert_problem(replayed, 409)
    assert await status_of(m, m.my_booking) == "confirmed"


async def test_slots_are_published_and_withdrawn_by_signed_calls(
    market: Market, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    m = market
    clinic = await factories.clinic(gateway, system, m.d)
    key = await factories.partner_key(gateway, clinic["owner"], clinic["provider"]["id"])
    offering = clinic["offering"]["id"]
    body = {"starts_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(), "capacity": 3}

    stale = datetime.now(UTC) - timedelta(hours=1)
    assert_problem(await key.signed("POST", f"/partner/v1/offerings/{offering}/slots", body, at=stale), 401)

    async def publish() -> httpx.Response | None:  # orders learns the offering from catalog's events
        r = await key.signed("POST", f"/partner/v1/offerings/{offering}/slots", body)
        assert r.status_code in (201, 404), r.text
        return r if r.status_code == 201 else None

    slot = (await until(publish)).json()
    # Another provider's key, now that orders knows whose offering it is.
    assert_problem(await m.mine.signed("POST", f"/partner/v1/offerings/{offering}/slots", body), 403)
    slots = await key.request("GET", "/partner/v1/slots", params={"offering_id": offering})
    assert [s["slot_id"] for s in slots.json()] == [slot["slot_id"]]
    withdraw = f"/partner/v1/offerings/{offering}/slots/{slot['slot_id']}"
    assert_problem(await m.mine.signed("DELETE", withdraw), 403)
    assert_problem(await key.request("DELETE", withdraw), 401)
    assert (await key.signed("DELETE", withdraw)).status_code == 204
    assert (await key.request("GET", "/partner/v1/slots", params={"offering_id": offering})).json() == []


async def test_subscriptions_and_deliveries_are_the_providers_own(
    market: Market, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    m = market
    dead_end = f"http://127.0.0.1:{free_port()}/hooks"  # nobody listens: the delivery stays pending
    hooks = await factories.subscription(m.mine, dead_end, "orders.booking.requested")
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, m.d.community["invite_code"])
    another = await factories.booking(neighbour, m.d.community_id, m.d.offering["id"])

    async def delivered() -> list[dict[str, Any]]:
        return list((await m.mine.request("GET", "/partner/v1/deliveries")).json())

    [delivery] = await until(delivered)
    assert delivery["event_type"] == "orders.booking.requested" and delivery["webhook_id"].startswith("msg_")
    detail = (await m.mine.request("GET", f"/partner/v1/deliveries/{delivery['id']}")).json()
    assert detail["payload"]["data"]["booking_id"] == another["id"]
    assert "resident_id" not in detail["payload"]["data"], "a provider never learns who booked from a webhook"

    theirs = m.theirs
    assert (await theirs.request("GET", "/partner/v1/subscriptions")).json() == []
    assert (await theirs.request("GET", "/partner/v1/deliveries")).json() == []
    assert (await theirs.request("GET", "/partner/v1/notices")).json() == []
    sub, dl = f"/partner/v1/subscriptions/{hooks['id']}", f"/partner/v1/deliveries/{delivery['id']}"
    for method, path, body in (
        ("GET", sub, None),
        ("PATCH", sub, {"description": "抢来的"}),
        ("DELETE", sub, None),
        ("GET", dl, None),
        ("GET", f"{dl}/attempts", None),
        ("POST", f"{dl}/replay", None),
    ):
        assert_problem(await theirs.request(method, path, json=body), 404)
    assert (await theirs.request("GET", "/partner/v1/deliveries", params={"subscription_id": hooks["id"]})).json() == []
    unchanged = (await m.mine.request("GET", sub)).json()
    assert unchanged["description"] == hooks["description"] and unchanged["status"] == "active"


async def test_bad_subscriptions_are_refused_and_change_nothing(market: Market, system: LocalSystem) -> None:
    m = market
    receiver = f"http://127.0.0.1:{free_port()}/hooks"  # a trusted local host in the test system
    for body, status in (
        ({"url": "http://partner.example.com/hooks"}, 422),  # not https
        ({"url": "https://10.0.0.5/hooks"}, 422),  # inside the network
        ({"url": "https://169.254.169.254/latest/meta-data/"}, 422),  # cloud metadata
        ({"url": "https://192.168.1.10:8443/hooks"}, 422),
        ({"url": "https://127.0.0.2/hooks"}, 422),  # loopback, and not the trusted 127.0.0.1
        ({"url": "https://[::1]/hooks"}, 422),
        ({"url": "https://user:pw@127.0.0.1/hooks"}, 422),
        ({"url": "https://" + "a" * 2000 + ".com/"}, 422),
        ({"event_types": ["orders.booking.exploded"]}, 422),  # unknown
        ({"event_types": ["orders.order.paid"]}, 422),  # exists, but not about a provider
        ({"event_types": []}, 422),
        ({"url": None}, 422),
    ):
        full = {"url": receiver, "event_types": ["orders.booking.requested"], **body}
        response = await m.mine.request("POST", "/partner/v1/subscriptions", json=full)
        doc = assert_problem(response, status)
        assert "unknown" not in str(body) or "GET /partner/v1/event-types" in str(doc["detail"])
    assert (await m.mine.request("GET", "/partner/v1/subscriptions")).json() == []

    hooks = await factories.subscription(m.mine, receiver)
    for change in ({"url": "https://10.0.0.5/hooks"}, {"event_types": ["nope.no.no"]}, {"url": "ftp://x/"}):
        assert_problem(await m.mine.request("PATCH", f"/partner/v1/subscriptions/{hooks['id']}", json=change), 422)
    assert (await m.mine.request("GET", f"/partner/v1/subscriptions/{hooks['id']}")).json() == hooks
    types = (await m.mine.request("GET", "/partner/v1/event-types")).json()
    assert {"orders.booking.requested", "orders.booking.cancelled", "catalog.listing.suspended"} <= {
        t["type"] for t in types
    }
