"""Who may do what with a booking: a provider's key sees and changes only that provider's bookings
and slots; a resident sees only their own bookings; the community's leaders see the community's
but act on none; a stranger reaches nothing. Every refusal is a problem document and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from deploy.client import Session
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


class Booked:
    d: Directory
    booking: dict[str, Any]
    slot: dict[str, Any]


@pytest.fixture
async def booked(gateway: httpx.AsyncClient, system: LocalSystem) -> Booked:
    b = Booked()
    b.d = await Directory.build(gateway, system)
    b.booking = await factories.booking(b.d.resident, b.d.community_id, b.d.offering["id"])
    b.slot = await factories.published_slot(
        system, b.d.provider["id"], b.d.offering["id"], starts_in=timedelta(days=3), capacity=2
    )
    return b


def booking_actions(b: Booked) -> list[tuple[str, str, dict[str, Any]]]:
    """Every endpoint acting on the booking: (method, orders path, body)."""
    booking = b.booking["id"]
    return [
        ("POST", f"/bookings/{booking}/confirm", {}),
        ("POST", f"/bookings/{booking}/decline", {"reason": "不想接"}),
        ("POST", f"/bookings/{booking}/complete", {}),
        ("POST", f"/bookings/{booking}/cancel", {"reason": "捣乱"}),
        ("POST", f"/bookings/{booking}/review", {"rating": 1, "text": "捣乱"}),
        ("POST", f"/bookings/{booking}/reply", {"text": "捣乱"}),
    ]


def slot_actions(b: Booked) -> list[tuple[str, str, dict[str, Any]]]:
    """The provider's availability endpoints (partner API only: the client API has no path to them)."""
    offering = b.d.offering["id"]
    return [
        ("POST", f"/offerings/{offering}/slots", {"starts_at": b.slot["starts_at"], "capacity": 5}),
        ("DELETE", f"/offerings/{offering}/slots/{b.slot['slot_id']}", {}),
    ]


def orders_as(system: LocalSystem, who: Session) -> httpx.AsyncClient:
    """Orders reached directly with a user's token: it refuses by itself too (defence in depth)."""
    return httpx.AsyncClient(base_url=system.url("orders"), headers=who.headers, timeout=15)


async def snapshot(b: Booked, system: LocalSystem) -> list[Any]:
    """The booking and the slots as their owners see them."""
    async with factories.partner(system, b.d.provider["id"]) as provider:
        seen = (await provider.get(f"/bookings/{b.booking['id']}")).json()
    slots = await factories.slots(b.d.resident, b.d.offering["id"])
    return [seen, slots]


async def test_a_providers_key_reaches_only_its_own_bookings(
    booked: Booked, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    b = booked
    rival_owner = await factories.person(gateway, system)
    rival = await factories.provider(rival_owner, name="隔壁家政")
    before = await snapshot(b, system)
    async with factories.partner(system, rival["id"]) as foreign:
        assert_problem(await foreign.get(f"/bookings/{b.booking['id']}"), 404)
        assert_problem(await foreign.get("/bookings", params={"provider_id": b.d.provider["id"]}), 403)
        assert (await foreign.get("/bookings")).json() == [], "its own bookings: none"
        assert_problem(await foreign.get("/slots", params={"offering_id": b.d.offering["id"]}), 404)
        for method, path, body in booking_actions(b):
            assert_problem(await foreign.request(method, path, json=body or None), 404)
        for method, path, body in slot_actions(b):
            assert_problem(await foreign.request(method, path, json=body or None), 403)
    assert await snapshot(b, system) == before


async def test_another_resident_sees_nothing_of_a_booking(
    booked: Booked, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    b = booked
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, b.d.community["invite_code"])
    before = await snapshot(b, system)
    assert_problem(await neighbour.request("GET", f"/api/v1/bookings/{b.booking['id']}"), 404)
    assert (await neighbour.request("GET", "/api/v1/bookings")).json() == []
    mine = await neighbour.request("GET", "/api/v1/bookings", params={"community_id": b.d.community_id})
    assert mine.json() == [], "a resident asking for the community gets their own"
    for method, path, body in booking_actions(b):
        assert_problem(await neighbour.request(method, f"/api/v1{path}", json=body or None), 404)
    async with orders_as(system, neighbour) as orders:
        for method, path, body in slot_actions(b):
            assert_problem(await orders.request(method, path, json=body or None), 403)
    assert await snapshot(b, system) == before


async def test_a_stranger_reaches_nothing(booked: Booked, gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    b = booked
    stranger = await factories.person(gateway, system)
    before = await snapshot(b, system)
    assert_problem(await stranger.request("GET", "/api/v1/slots", params={"offering_id": b.d.offering["id"]}), 404)
    body = {"offering_id": b.d.offering["id"], "community_id": b.d.community_id, "starts_at": b.slot["starts_at"]}
    assert_problem(await stranger.request("POST", "/api/v1/bookings", json=body), 403)
    assert_problem(await stranger.request("POST", "/api/v1/inquiries", json=body | {"note": "你好"}), 403)
    assert_problem(await stranger.request("GET", f"/api/v1/bookings/{b.booking['id']}"), 404)
    listing = await stranger.request("GET", "/api/v1/bookings", params={"community_id": b.d.community_id})
    assert listing.json() == []
    assert await snapshot(b, system) == before


async def test_the_resident_and_the_leader_do_not_act_for_the_provider(booked: Booked, system: LocalSystem) -> None:
    b = booked
    leader_view = (await b.d.leader.request("GET", f"/api/v1/bookings/{b.booking['id']}")).json()
    assert leader_view["resident_id"] == b.d.resident.user_id, "a leader of the community sees its bookings"
    community = await b.d.leader.request("GET", "/api/v1/bookings", params={"community_id": b.d.community_id})
    assert [x["id"] for x in community.json()] == [b.booking["id"]]
    before = await snapshot(b, system)
    for who in (b.d.resident, b.d.leader, b.d.owner):
        await _refused_provider_acts(who, b, system)
    assert_problem(await b.d.leader.request("POST", f"/api/v1/bookings/{b.booking['id']}/cancel", json={}), 403)
    assert await snapshot(b, system) == before


async def _refused_provider_acts(who: Session, b: Booked, system: LocalSystem) -> None:
    """The provider acts through the partner API with its key; no user does (its owner's login included)."""
    booking = b.booking["id"]
    for action, body in (("confirm", {}), ("decline", {"reason": "不接了"}), ("reply", {"text": "谢谢"})):
        response = await who.request("POST", f"/api/v1/bookings/{booking}/{action}", json=body)
        assert_problem(response, 404 if who is b.d.owner else 403)  # the owner is nothing to the booking
    listing = await who.request("GET", "/api/v1/bookings", params={"provider_id": b.d.provider["id"]})
    assert_problem(listing, 403)
    async with orders_as(system, who) as orders:
        for method, path, body in slot_actions(b):
            assert_problem(await orders.request(method, path, json=body or None), 403)
