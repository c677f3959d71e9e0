"""健康轻问诊: a clinic partner publishes free online-consultation slots; residents book one; a
booking never shows one resident's data to another, and a slot shows only the places left."""

from __future__ import annotations

from datetime import timedelta

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


async def test_free_consultation_slots(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    clinic = await factories.clinic(gateway, system, d)
    provider_id, offering_id = clinic["provider"]["id"], clinic["offering"]["id"]
    morning = await factories.published_slot(system, provider_id, offering_id, starts_in=timedelta(days=1))
    evening = await factories.published_slot(
        system, provider_id, offering_id, starts_in=timedelta(days=1, hours=10), capacity=2
    )
    other = await factories.person(gateway, system)
    await factories.join(other, d.community["invite_code"])

    mine = await factories.booking(
        d.resident, d.community_id, offering_id, morning["starts_at"], note="孩子反复咳嗽一周，想问用药"
    )
    assert (mine["price_fen"], mine["kind"], mine["category"]) == (0, "slot", "health_consultation")
    assert mine["ends_at"] > mine["starts_at"]

    # The other resident sees places left, never who took them, nor the booking itself.
    response = await other.request("GET", "/api/v1/slots", params={"offering_id": offering_id})
    slots = {s["starts_at"]: s for s in response.json()}
    assert set(slots) == {morning["starts_at"], evening["starts_at"]}, "published slots only: no schedule"
    assert slots[morning["starts_at"]]["remaining"] == 0 and slots[evening["starts_at"]]["remaining"] == 2
    fields = {"slot_id", "offering_id", "starts_at", "ends_at", "remaining", "published"}
    assert all(set(s) == fields for s in slots.values()), "when, and how many places: nothing of who"
    assert d.resident.user_id not in response.text and "咳嗽" not in response.text
    assert_problem(await other.request("GET", f"/api/v1/bookings/{mine['id']}"), 404)
    assert (await other.request("GET", "/api/v1/bookings", params={"community_id": d.community_id})).json() == []
    body = {"offering_id": offering_id, "community_id": d.community_id, "starts_at": morning["starts_at"]}
    assert "full" in str(assert_problem(await other.request("POST", "/api/v1/bookings", json=body), 409)["detail"])
    theirs = await factories.booking(other, d.community_id, offering_id, evening["starts_at"])

    async with factories.partner(system, provider_id) as doctor:
        seen = {b["id"]: b for b in (await doctor.get("/bookings", params={"provider_id": provider_id})).json()}
        assert set(seen) == {mine["id"], theirs["id"]}
        assert seen[mine["id"]]["note"] == "孩子反复咳嗽一周，想问用药" and seen[mine["id"]]["resident_id"] is None
        assert (await doctor.post(f"/bookings/{mine['id']}/confirm")).json()["status"] == "confirmed"
        # A slot someone holds stays; a free one may be withdrawn.
        assert_problem(await doctor.delete(f"/offerings/{offering_id}/slots/{morning['slot_id']}"), 409)
        await doctor.post(f"/bookings/{theirs['id']}/decline", json={"reason": "医生临时出诊"})
        assert (await doctor.delete(f"/offerings/{offering_id}/slots/{evening['slot_id']}")).status_code == 204

    left = (await other.request("GET", "/api/v1/slots", params={"offering_id": offering_id})).json()
    assert [s["starts_at"] for s in left] == [morning["starts_at"]]
