"""Service bookings end to end: a resident books a provider's slot (or asks about an offering
without slots), the provider answers through the partner API, the resident reviews, the provider
replies once; cancellations follow the provider's terms; a suspended provider's open bookings go
to the leader. Every event names the provider and the offering, never the resident."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from shared.events import Event
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


@pytest.fixture
async def directory(gateway: httpx.AsyncClient, system: LocalSystem) -> Directory:
    d = await Directory.build(gateway, system)
    await factories.slots(d.resident, d.offering["id"])  # orders has learnt the offering and the listing
    return d


async def test_a_booking_from_request_to_review(directory: Directory, system: LocalSystem) -> None:
    d = directory
    slot = await factories.published_slot(
        system, d.provider["id"], d.offering["id"], starts_in=timedelta(seconds=3), capacity=2
    )
    booked = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=slot["starts_at"])
    starts = datetime.fromisoformat(booked["starts_at"])
    assert booked["status"] == "requested" and booked["kind"] == "slot" and booked["resident_id"] == d.resident.user_id
    assert booked["price_fen"] == d.offering["price_fen"] and booked["provider_id"] == d.provider["id"]
    assert datetime.fromisoformat(booked["ends_at"]) - starts == timedelta(minutes=d.offering["slot_minutes"])
    [listed] = [s for s in await factories.slots(d.resident, d.offering["id"]) if s["slot_id"] == slot["slot_id"]]
    assert listed["remaining"] == 1

    async with factories.partner(system, d.provider["id"]) as provider:
        requested = await provider.get("/bookings", params={"provider_id": d.provider["id"], "status": "requested"})
        [seen] = requested.json()
        assert seen["id"] == booked["id"] and seen["note"] == booked["note"]
        assert seen["resident_id"] is None, "the provider learns the booking, its slot and note, not who"
        confirmed = await provider.post(f"/bookings/{booked['id']}/confirm")
        assert confirmed.json()["status"] == "confirmed"
        assert_problem(await provider.post(f"/bookings/{booked['id']}/complete"), 409)  # before the slot starts
        await asyncio.sleep(max(0.0, (starts - datetime.now(starts.tzinfo)).total_seconds()) + 0.2)
        assert (await provider.post(f"/bookings/{booked['id']}/complete")).json()["status"] == "completed"

        reviewed = await d.resident.request(
            "POST", f"/api/v1/bookings/{booked['id']}/review", json={"rating": 5, "text": "准时、干净，推荐"}
        )
        assert reviewed.status_code == 200, reviewed.text
        assert reviewed.json()["status"] == "reviewed" and reviewed.json()["rating"] == 5

        replied = await provider.post(f"/bookings/{booked['id']}/reply", json={"text": "谢谢认可，欢迎再约"})
        assert replied.status_code == 200 and replied.json()["reply"] == "谢谢认可，欢迎再约"
        assert_problem(await provider.post(f"/bookings/{booked['id']}/reply", json={"text": "再说一次"}), 409)

    mine = (await d.resident.request("GET", f"/api/v1/bookings/{booked['id']}")).json()
    assert (mine["status"], mine["review"], mine["reply"]) == ("reviewed", "准时、干净，推荐", "谢谢认可，欢迎再约")

    events = await booked_events(system, booked["id"], at_least=5)
    assert [e.type for e in events] == [
        "orders.booking.requested",
        "orders.booking.confirmed",
        "orders.booking.completed",
        "orders.booking.reviewed",
        "orders.booking.replied",
    ]
    for event in events:
        data = event.data.model_dump(mode="json")
        assert data["provider_id"] == d.provider["id"] and data["offering_id"] == d.offering["id"]
        assert d.resident.user_id not in json.dumps(data) and d.resident.phone not in json.dumps(data)
    reviewed_event = events[3].data.model_dump()
    assert reviewed_event["rating"] == 5 and reviewed_event["community_id"] == d.community_id


async def booked_events(system: LocalSystem, booking_id: str, *, at_least: int) -> list[Event[Any]]:
    """The booking's events in the ORDERS stream, once there are `at_least`."""

    async def enough() -> list[Event[Any]] | None:
        events = await published(system, "orders.booking.*", subject=booking_id)
        return events if len(events) >= at_least else None

    return list(await until(enough))


async def test_declining_or_cancelling_frees_the_place(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    d = directory
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, d.community["invite_code"])
    slot = await factories.published_slot(system, d.provider["id"], d.offering["id"], starts_in=timedelta(days=2))
    first = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=slot["starts_at"])
    body = {"offering_id": d.offering["id"], "community_id": d.community_id, "starts_at": slot["starts_at"]}
    assert_problem(await neighbour.request("POST", "/api/v1/bookings", json=body), 409)  # full

    async with factories.partner(system, d.provider["id"]) as provider:
        declined = await provider.post(f"/bookings/{first['id']}/decline", json={"reason": "那天师傅请假"})
        assert (declined.json()["status"], declined.json()["reason"]) == ("declined", "那天师傅请假")
        second = await factories.booking(neighbour, d.community_id, d.offering["id"], starts_at=slot["starts_at"])
        assert_problem(await provider.post(f"/bookings/{first['id']}/confirm"), 409)  # declined is final
    cancelled = await neighbour.request("POST", f"/api/v1/bookings/{second['id']}/cancel", json={"reason": "改期"})
    assert (cancelled.json()["status"], cancelled.json()["cancelled_by"]) == ("cancelled", "resident")
    again = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=slot["starts_at"])
    assert again["status"] == "requested"


async def test_cancellation_follows_the_providers_terms(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system, free_cancellation_hours=24, late_cancellation_fee_percent=20)
    early_start = next(
        s["starts_at"]
        for s in await factories.slots(d.resident, d.offering["id"])
        if datetime.fromisoformat(s["starts_at"]) - datetime.now(UTC) > timedelta(hours=25)
    )
    soon = await factories.published_slot(
        system, d.provider["id"], d.offering["id"], starts_in=timedelta(hours=2), capacity=3
    )
    early = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=early_start)
    late = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=soon["starts_at"])
    assert (late["free_cancellation_hours"], late["late_cancellation_fee_percent"]) == (24, 20)
    async with factories.partner(system, d.provider["id"]) as provider:
        for booking in (early, late):
            assert (await provider.post(f"/bookings/{booking['id']}/confirm")).status_code == 200

    def cancel(booking: dict[str, Any]) -> Any:
        return d.resident.request("POST", f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "临时有事"})

    assert (await cancel(early)).json()["cancellation_fee_fen"] == 0, "free until 24 hours before"
    charged = (await cancel(late)).json()
    assert (charged["status"], charged["cancellation_fee_fen"]) == ("cancelled", d.offering["price_fen"] * 20 // 100)
    [event] = (await booked_events(system, late["id"], at_least=3))[2:]
    assert event.type == "orders.booking.cancelled"
    assert event.data.model_dump()["fee_fen"] == charged["cancellation_fee_fen"]
    assert event.data.model_dump()["cancelled_by"] == "resident"

    # Not yet confirmed, nothing was agreed: free. A provider's cancellation never costs the resident.
    unconfirmed = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=soon["starts_at"])
    assert (await cancel(unconfirmed)).json()["cancellation_fee_fen"] == 0
    kept = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=soon["starts_at"])
    async with factories.partner(system, d.provider["id"]) as provider:
        await provider.post(f"/bookings/{kept['id']}/confirm")
        by_provider = (await provider.post(f"/bookings/{kept['id']}/cancel", json={"reason": "设备故障"})).json()
    assert (by_provider["cancelled_by"], by_provider["cancellation_fee_fen"]) == ("provider", 0)
    assert_problem(await cancel(kept), 409)  # cancelled is final


async def test_offerings_without_slots_take_inquiries(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system, name="家电维修", category="repair", price_model="quote", price_fen=None)
    asked = await factories.inquiry(d.resident, d.community_id, d.offering["id"])
    assert (asked["kind"], asked["starts_at"], asked["price_fen"], asked["status"]) == (
        "inquiry",
        None,
        None,
        "requested",
    )
    slot = {"offering_id": d.offering["id"], "community_id": d.community_id, "starts_at": asked["created_at"]}
    assert_problem(await d.resident.request("POST", "/api/v1/bookings", json=slot), 409)  # a quote: ask first

    async with factories.partner(system, d.provider["id"]) as provider:
        await provider.post(f"/bookings/{asked['id']}/confirm")
        done = await provider.post(f"/bookings/{asked['id']}/complete")  # no slot to wait for
    assert done.json()["status"] == "completed"
    review = {"rating": 4, "text": "上门快，报价合理"}
    assert (await d.resident.request("POST", f"/api/v1/bookings/{asked['id']}/review", json=review)).status_code == 200


async def test_an_offering_with_slots_is_booked_not_asked_about(directory: Directory) -> None:
    body = {"offering_id": directory.offering["id"], "community_id": directory.community_id, "note": "能便宜点吗"}
    assert_problem(await directory.resident.request("POST", "/api/v1/inquiries", json=body), 409)


async def test_a_suspended_provider_takes_no_bookings_and_its_open_ones_go_to_the_leader(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    d = directory
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, d.community["invite_code"])
    requested = await factories.booking(d.resident, d.community_id, d.offering["id"])
    confirmed = await factories.booking(neighbour, d.community_id, d.offering["id"])
    withdrawn = await factories.booking(neighbour, d.community_id, d.offering["id"], starts_at=None)
    async with factories.partner(system, d.provider["id"]) as provider:
        await provider.post(f"/bookings/{confirmed['id']}/confirm")
    await neighbour.request("POST", f"/api/v1/bookings/{withdrawn['id']}/cancel")  # a reason is optional

    await factories.move(d.leader, d.listing["id"], "suspended", "投诉较多，暂停接单")

    async def flagged() -> list[dict[str, Any]] | None:
        params = {"community_id": d.community_id, "flagged": "true"}
        found = (await d.leader.request("GET", "/api/v1/bookings", params=params)).json()
        return found if len(found) == 2 else None

    to_follow = await until(flagged)
    assert {b["id"] for b in to_follow} == {requested["id"], confirmed["id"]}, "open bookings only"
    assert all("suspended" in b["flag_reason"] and "投诉较多" in b["flag_reason"] for b in to_follow)
    assert all(b["resident_id"] for b in to_follow), "the leader knows whom to call"
    [event] = (await booked_events(system, requested["id"], at_least=2))[1:]
    assert event.type == "orders.booking.flagged" and event.community_id == d.community_id
    assert event.data.model_dump()["community_id"] == d.community_id

    # A resident asking for the community's bookings sees their own only.
    theirs = (await neighbour.request("GET", "/api/v1/bookings", params={"community_id": d.community_id})).json()
    assert {b["id"] for b in theirs} == {confirmed["id"], withdrawn["id"]}
    body = {"offering_id": d.offering["id"], "community_id": d.community_id, "starts_at": requested["starts_at"]}
    refused = assert_problem(await neighbour.request("POST", "/api/v1/bookings", json=body), 409)
    assert "suspended" in str(refused["detail"])
