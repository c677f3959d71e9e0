"""A slot's capacity holds under concurrent booking (run with LINLI_TEST_POSTGRES_URL for PostgreSQL):
twenty residents pressing at once for three places get three bookings and seventeen 409s."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


async def test_twenty_residents_three_places(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    await factories.slots(d.resident, d.offering["id"])
    slot = await factories.published_slot(
        system, d.provider["id"], d.offering["id"], starts_in=timedelta(days=1), capacity=3
    )
    body = {"offering_id": d.offering["id"], "community_id": d.community_id, "starts_at": slot["starts_at"]}

    async def press(token: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        return await gateway.post("/api/v1/bookings", json=body, headers=headers)

    responses = await asyncio.gather(*(press(factories.resident_token(d.community_id)) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 17
    for refused in (r for r in responses if r.status_code == 409):
        assert "full" in str(assert_problem(refused, 409)["detail"])

    [seen] = [s for s in await _all_slots(d) if s["starts_at"] == slot["starts_at"]]
    assert seen["remaining"] == 0
    async with factories.partner(system, d.provider["id"]) as provider:
        bookings = (await provider.get("/bookings")).json()
    assert sorted(b["id"] for b in bookings) == sorted(r.json()["id"] for r in responses if r.status_code == 201)


async def test_concurrent_retries_of_one_press_book_once(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    starts_at = (await factories.slots(d.resident, d.offering["id"]))[0]["starts_at"]
    body = {"offering_id": d.offering["id"], "community_id": d.community_id, "starts_at": starts_at}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(d.resident.request("POST", "/api/v1/bookings", json=body, headers=key) for _ in range(8))
    )
    assert {r.status_code for r in responses} <= {201, 409}  # 409: the first is still in progress
    assert len({r.json()["id"] for r in responses if r.status_code == 201}) == 1
    assert len((await d.resident.request("GET", "/api/v1/bookings")).json()) == 1


async def _all_slots(d: Directory) -> list[dict[str, object]]:
    response = await d.resident.request("GET", "/api/v1/slots", params={"offering_id": d.offering["id"]})
    return list(response.json())
