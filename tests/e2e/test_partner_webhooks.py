"""Outbound webhooks end to end, on a system of the test's own with short retry delays: a real
HTTP receiver verifies every delivery with the public `standardwebhooks` library; it is taken
down for a while (and the gateway restarted meanwhile), and once it is back every event has
arrived exactly once by `webhook-id`, the failed attempts logged for the partner."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.factories import Directory, PartnerKey
from tests.gateway.receiver import Receiver

# Retries every second or so, for longer than the receiver is down; a poll that notices them soon.
FAST_RETRIES = {
    "LINLI_GATEWAY_WEBHOOK_RETRY_SCHEDULE": str([0, 0.5] + [1] * 60),
    "LINLI_GATEWAY_WEBHOOK_POLL_SECONDS": "0.2",
    "LINLI_GATEWAY_WEBHOOK_TIMEOUT_SECONDS": "3",
    "LINLI_GATEWAY_WEBHOOK_PROBE_MAX_SECONDS": "2",
}
BOOKINGS = [
    "orders.booking.requested",
    "orders.booking.confirmed",
    "orders.booking.declined",
    "orders.booking.cancelled",
]


async def deliveries(partner: PartnerKey) -> list[dict[str, Any]]:
    response = await partner.request("GET", "/partner/v1/deliveries", params={"limit": 100})
    assert response.status_code == 200, response.text
    return list(response.json())


async def book_at_orders(system: LocalSystem, resident: Session, body: dict[str, Any]) -> dict[str, Any]:
    """A booking made while the gateway is down: straight to orders, with the resident's token."""
    headers = {**resident.headers, "Idempotency-Key": f'"{uuid.uuid4()}"'}
    async with httpx.AsyncClient(base_url=system.url("orders"), timeout=15) as orders:
        response = await orders.post("/bookings", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_each_event_arrives_once_after_the_receiver_comes_back(tmp_path: Path, databases: Databases) -> None:
    async with (
        running_system(tmp_path, databases, **FAST_RETRIES) as system,
        httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as gateway,
    ):
        d = await Directory.build(gateway, system)
        partner = await factories.partner_key(gateway, d.owner, d.provider["id"])
        receiver = Receiver(secret=partner.secret)
        await receiver.start()
        await factories.subscription(partner, receiver.url, *BOOKINGS, "catalog.listing.suspended")
        slots = [s["starts_at"] for s in await factories.slots(d.resident, d.offering["id"])]
        expected: list[tuple[str, str]] = []  # (event type, booking or listing id), in order

        async def book(i: int) -> dict[str, Any]:
            booking = await factories.booking(d.resident, d.community_id, d.offering["id"], starts_at=slots[i])
            expected.append(("orders.booking.requested", booking["id"]))
            return booking

        # Up: a booking arrives.
        first = await book(0)
        await until(lambda: _arrived(receiver, 1))

        # Down: bookings, a confirmation and a decline through the partner API (signed), a suspension.
        await receiver.stop()
        second, third = await book(1), await book(2)
        assert (await partner.signed("POST", f"/partner/v1/bookings/{second['id']}/confirm")).status_code == 200
        expected.append(("orders.booking.confirmed", second["id"]))
        declined = await partner.signed("POST", f"/partner/v1/bookings/{third['id']}/decline", {"reason": "排满了"})
        assert declined.status_code == 200
        expected.append(("orders.booking.declined", third["id"]))
        await _waiting(partner, len(expected) - 1)

        # The gateway stops too; events keep happening, kept in JetStream until it is back.
        body = {"offering_id": d.offering["id"], "community_id": d.community_id, "note": "门口有狗，别怕"}
        system.stop_process("gateway")
        fourth = await book_at_orders(system, d.resident, {**body, "starts_at": slots[3]})
        expected.append(("orders.booking.requested", fourth["id"]))
        async with httpx.AsyncClient(base_url=system.url("orders"), timeout=15) as orders:
            cancelled = await orders.post(
                f"/bookings/{first['id']}/cancel", json={"reason": "出差"}, headers=d.resident.headers
            )
        assert cancelled.status_code == 200, cancelled.text
        expected.append(("orders.booking.cancelled", first["id"]))
        system.start_service("gateway")
        system.wait_ready(["gateway"])
        suspended = await factories.move(d.leader, d.listing["id"], "suspended", "暂停，核实投诉")
        expected.append(("catalog.listing.suspended", suspended["id"]))
        await _waiting(partner, len(expected) - 1)

        # Back up: everything arrives, once.
        back = time.time()
        await receiver.start()
        try:
            settled = await until(lambda: _all_delivered(partner, len(expected)), timeout=30)
        finally:
            await receiver.stop()
        logs = {
            s["id"]: (await partner.request("GET", f"/partner/v1/deliveries/{s['id']}/attempts")).json()
            for s in settled
        }

    assert receiver.refused == [], "every delivery's signature verified with the standardwebhooks library"
    assert set(receiver.counts().values()) == {1}, f"some event arrived twice: {receiver.counts()}"
    arrived = [(r.type, r.data.get("booking_id") or r.data.get("listing_id")) for r in receiver.received]
    assert sorted(arrived) == sorted(expected)
    assert {r.webhook_id for r in receiver.received} == {s["webhook_id"] for s in settled}
    assert all(r.data["provider_id"] == d.provider["id"] for r in receiver.received)
    assert [r.webhook_id for r in receiver.received if r.at < back] == [receiver.received[0].webhook_id]
    # Every attempt is in the partner's log: refused connections while down (the endpoint probed
    # one delivery at a time), then the 2xx.
    for s in settled:
        log = logs[s["id"]]
        assert len(log) == s["attempts"] and log[-1]["status_code"] == 204
        assert all(a["status_code"] is None and "could not connect" in a["error"] for a in log[:-1])
    assert any(len(log) > 1 for log in logs.values())


async def _arrived(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n


async def _waiting(partner: PartnerKey, n: int) -> None:
    """Wait until `n` deliveries wait for the receiver, which has been tried and found down."""

    async def waiting() -> bool:
        pending = [d for d in await deliveries(partner) if d["status"] == "pending"]
        return len(pending) >= n and any(d["attempts"] for d in pending)

    await until(waiting, timeout=30)


async def _all_delivered(partner: PartnerKey, n: int) -> list[dict[str, Any]] | None:
    found = await deliveries(partner)
    return found if len(found) >= n and all(d["status"] == "delivered" for d in found) else None
