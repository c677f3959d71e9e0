"""Bad bookings, slots and reviews: each a clear 4xx problem document, and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.client import Session
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Directory


class Booked:
    """A listed cleaner with a capacity-1 published slot the resident holds, and a neighbour."""

    d: Directory
    neighbour: Session
    slot: dict[str, Any]
    booking: dict[str, Any]


@pytest.fixture
async def booked(gateway: httpx.AsyncClient, system: LocalSystem) -> Booked:
    b = Booked()
    b.d = await Directory.build(gateway, system)
    b.neighbour = await factories.person(gateway, system)
    await factories.join(b.neighbour, b.d.community["invite_code"])
    await factories.slots(b.d.resident, b.d.offering["id"])
    b.slot = await factories.published_slot(system, b.d.provider["id"], b.d.offering["id"], starts_in=timedelta(days=1))
    b.booking = await factories.booking(b.d.resident, b.d.community_id, b.d.offering["id"], b.slot["starts_at"])
    return b


async def state(b: Booked) -> list[Any]:
    """Everyone's bookings and the slots left, as they see them."""
    return [
        (await b.d.resident.request("GET", "/api/v1/bookings")).json(),
        (await b.neighbour.request("GET", "/api/v1/bookings")).json(),
        (await b.d.leader.request("GET", "/api/v1/bookings", params={"community_id": b.d.community_id})).json(),
        await factories.slots(b.d.resident, b.d.offering["id"]),
    ]


def at(moment: datetime) -> str:
    return moment.isoformat()


async def test_bad_bookings_are_refused(booked: Booked) -> None:
    b = booked
    first = (await factories.slots(b.d.resident, b.d.offering["id"]))[0]["starts_at"]
    start = datetime.fromisoformat(first)
    base = {"offering_id": b.d.offering["id"], "community_id": b.d.community_id}
    before = await state(b)
    cases: list[tuple[dict[str, Any], int, str]] = [
        (base | {"starts_at": b.slot["starts_at"]}, 409, "full"),
        (base | {"starts_at": at(start + timedelta(minutes=7))}, 422, "not a slot"),
        (base | {"starts_at": at(datetime.now(UTC) - timedelta(hours=1))}, 422, "passed"),
        (base | {"starts_at": at(datetime.now(UTC) + timedelta(days=120))}, 422, "next 60 days"),
        (base | {"starts_at": at(start.replace(tzinfo=None))}, 422, "invalid fields"),  # no time zone
        (base | {"starts_at": "next saturday"}, 422, "invalid fields"),
        (base | {"starts_at": first, "note": "x" * 501}, 422, "invalid fields"),
        (base | {"starts_at": first, "offering_id": UNKNOWN_ID}, 404, "does not exist"),
        (base | {"starts_at": first, "offering_id": "nonsense"}, 422, "invalid fields"),
        ({"offering_id": b.d.offering["id"], "starts_at": first}, 422, "invalid fields"),
        (base | {"starts_at": first, "community_id": UNKNOWN_ID}, 403, "residents of community"),
    ]
    for body, status, detail in cases:
        doc = assert_problem(await b.neighbour.request("POST", "/api/v1/bookings", json=body), status)
        assert detail in str(doc["detail"]), (body, doc)
    # The same resident twice in one slot.
    again = base | {"starts_at": b.slot["starts_at"]}
    assert_problem(await b.d.resident.request("POST", "/api/v1/bookings", json=again), 409)
    assert await state(b) == before


async def test_a_booking_needs_an_idempotency_key_and_a_retry_books_once(
    booked: Booked, gateway: httpx.AsyncClient
) -> None:
    b = booked
    body = {"offering_id": b.d.offering["id"], "community_id": b.d.community_id}
    body["starts_at"] = (await factories.slots(b.neighbour, b.d.offering["id"]))[0]["starts_at"]
    before = await state(b)
    bare = await gateway.post("/api/v1/bookings", json=body, headers=b.neighbour.headers)
    assert "Idempotency-Key" in str(assert_problem(bare, 400)["detail"])
    assert await state(b) == before

    key = {"Idempotency-Key": '"retry-1"'}
    first = await b.neighbour.request("POST", "/api/v1/bookings", json=body, headers=key)
    retried = await b.neighbour.request("POST", "/api/v1/bookings", json=body, headers=key)
    assert first.status_code == retried.status_code == 201 and retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert len((await b.neighbour.request("GET", "/api/v1/bookings")).json()) == 1
    other = await b.neighbour.request("POST", "/api/v1/bookings", json=body | {"note": "改了"}, headers=key)
    assert_problem(other, 422)


async def test_bad_slots_are_refused(booked: Booked, system: LocalSystem) -> None:
    b = booked
    soon = at(datetime.now(UTC) + timedelta(days=2))
    before = await state(b)
    async with factories.partner(system, b.d.provider["id"]) as provider:
        path = f"/offerings/{b.d.offering['id']}/slots"
        for body, status in [
            ({"starts_at": soon, "capacity": 0}, 422),
            ({"starts_at": soon, "capacity": -3}, 422),
            ({"starts_at": soon, "capacity": 1001}, 422),
            ({"starts_at": soon}, 422),
            ({"starts_at": soon.replace("+00:00", ""), "capacity": 2}, 422),
            ({"starts_at": at(datetime.now(UTC) - timedelta(minutes=1)), "capacity": 2}, 422),
            ({"starts_at": at(datetime.now(UTC) + timedelta(days=61)), "capacity": 2}, 422),
            ({"starts_at": b.slot["starts_at"], "capacity": 3}, 409),  # already published
        ]:
            assert_problem(await provider.post(path, json=body), status)
        assert_problem(
            await provider.post(f"/offerings/{UNKNOWN_ID}/slots", json={"starts_at": soon, "capacity": 1}), 404
        )
        held = await provider.delete(f"{path}/{b.slot['slot_id']}")
        assert "cancel them first" in str(assert_problem(held, 409)["detail"])
        assert_problem(await provider.delete(f"{path}/{UNKNOWN_ID}"), 404)
    window = {"offering_id": b.d.offering["id"], "from": soon, "to": at(datetime.now(UTC) + timedelta(days=40))}
    assert_problem(await b.d.resident.request("GET", "/api/v1/slots", params=window), 422)
    assert await state(b) == before


async def test_reviews_need_a_completed_booking_and_get_one_reply(booked: Booked, system: LocalSystem) -> None:
    b = booked
    review = {"rating": 5, "text": "很好"}
    path = f"/api/v1/bookings/{b.booking['id']}"
    before = await state(b)
    doc = assert_problem(await b.d.resident.request("POST", f"{path}/review", json=review), 409)
    assert doc["detail"] == "a requested booking cannot become reviewed"
    assert doc["allowed"] == ["cancelled", "confirmed", "declined"]
    async with factories.partner(system, b.d.provider["id"]) as provider:
        assert_problem(await provider.post(f"/bookings/{b.booking['id']}/reply", json={"text": "谢谢"}), 409)
        assert_problem(await provider.post(f"/bookings/{b.booking['id']}/decline", json={}), 422)  # say why
    for rating in (0, 6, "five"):
        assert_problem(await b.d.resident.request("POST", f"{path}/review", json={"rating": rating}), 422)
    assert await state(b) == before
