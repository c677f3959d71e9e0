"""Event fees through the gateway, paid with the embedded simulated provider — which confirms through
the signed payment webhook as a real one would, so the path is the one deals use: a seat at an event
with a fee is held until paid, paying makes it `registered`, an unpaid hold goes to the waitlist (whose
promoted seat is held afresh), a cancelled event or an early withdrawal is refunded, and nobody pays
or reads someone else's fee."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.e2e.stream import published
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Events

FEE = 1800
FEES = "/api/v1/event-fees"


@pytest.fixture
async def hood(gateway: httpx.AsyncClient, system: LocalSystem) -> Events:
    return await Events.build(gateway, system)


def at(event_id: str, path: str = "") -> str:
    return f"/api/v1/community-events/{event_id}{path}"


async def pay(member: Session, registration_id: str, **headers: str) -> httpx.Response:
    """Ask to pay, retried while orders has not heard of the sign-up yet (it learns it from an event)."""

    async def attempt() -> httpx.Response | None:
        response = await member.request("POST", FEES, json={"registration_id": registration_id}, headers=headers)
        return None if response.status_code == 404 else response

    return await until(attempt)  # type: ignore[no-any-return]


async def mine(member: Session, event_id: str, status: str, timeout: float = 10) -> dict[str, Any]:
    """The member's registration once it has `status` (payments are applied from events)."""

    async def reached() -> dict[str, Any] | None:
        registration = (await member.request("GET", at(event_id, "/registrations/me"))).json()
        return registration if registration["status"] == status else None

    return dict(await until(reached, timeout=timeout))


async def fee_status(member: Session, fee_id: str, status: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        fee = (await member.request("GET", f"{FEES}/{fee_id}")).json()
        return fee if fee["status"] == status else None

    return dict(await until(reached))


async def test_a_paid_seat_is_registered_and_a_cancelled_event_refunds_it(hood: Events, system: LocalSystem) -> None:
    event = await factories.offline_event(hood.leader, hood.community_id, title="端午包粽子", fee_fen=FEE)
    held = await factories.register(hood.resident, event["id"], companions=1)
    assert (held["status"], held["code"]) == ("awaiting_payment", None) and held["pay_by"]

    key = {"Idempotency-Key": '"pay-my-seat"'}
    first = await pay(hood.resident, held["id"], **key)
    assert first.status_code == 201, first.text
    fee = first.json()
    assert (fee["amount_fen"], fee["title"], fee["status"]) == (2 * FEE, "端午包粽子", "due")
    again = await hood.resident.request("POST", FEES, json={"registration_id": held["id"]}, headers=key)
    assert again.json() == fee and again.headers["idempotent-replayed"] == "true"

    seat = await mine(hood.resident, event["id"], "registered")
    assert len(seat["code"]) == 6 and seat["pay_by"] is None
    assert (await fee_status(hood.resident, fee["id"], "paid"))["paid_at"]
    paid_twice = await hood.resident.request("POST", FEES, json={"registration_id": held["id"]})
    assert "paid already" in str(assert_problem(paid_twice, 409)["detail"])
    # Nobody else pays or reads it: not a neighbour, not a stranger; the leaders read it.
    for other in (hood.neighbour, hood.outsider):
        assert_problem(await other.request("POST", FEES, json={"registration_id": held["id"]}), 404)
        assert_problem(await other.request("GET", f"{FEES}/{fee['id']}"), 404)
    assert (await hood.leader.request("GET", f"{FEES}/{fee['id']}")).json()["status"] == "paid"
    [confirmed] = await published(system, "community.registration.confirmed", subject=event["id"])
    assert confirmed.data.registration_id == held["id"]

    cancelled = await hood.leader.request("POST", at(event["id"], "/cancel"), json={"reason": "暴雨预警"})
    assert cancelled.status_code == 200, cancelled.text
    refunded = await fee_status(hood.resident, fee["id"], "refunded")
    assert "暴雨预警" in refunded["refund_reason"]
    await asyncio.sleep(1)  # whatever else arrives, one refund
    [refund] = await published(system, "orders.event_fee.refunded", subject=fee["id"])
    assert (refund.data.amount_fen, refund.data.user_id) == (2 * FEE, hood.resident.user_id)


async def test_bad_input_to_event_fees_is_a_clear_4xx(hood: Events) -> None:
    free = await factories.offline_event(hood.leader, hood.community_id)
    seat = await factories.register(hood.resident, free["id"])
    assert seat["status"] == "registered" and seat["pay_by"] is None
    await asyncio.sleep(1)  # orders has heard of it by now, and keeps nothing: there is no fee
    assert_problem(await hood.resident.request("POST", FEES, json={"registration_id": seat["id"]}), 404)
    assert_problem(await hood.resident.request("POST", FEES, json={"registration_id": "not-an-id"}), 422)
    assert_problem(await hood.resident.request("POST", FEES, json={}), 422)
    no_key = await hood.resident.http.post(FEES, json={"registration_id": seat["id"]}, headers=hood.resident.headers)
    assert_problem(no_key, 400)
    assert_problem(await hood.resident.request("GET", f"{FEES}/{UNKNOWN_ID}"), 404)


@pytest.fixture
async def hurried(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    """A system whose seats wait 6 seconds for their fee, with an events clock that ticks fast."""
    env = {"LINLI_COMMUNITY_FEE_HOLD_SECONDS": "6", "LINLI_COMMUNITY_EVENTS_CLOCK_SECONDS": "0.3"}
    async with running_system(tmp_path, databases, **env) as running:
        yield running


async def test_an_unpaid_seat_goes_to_the_waitlist_and_an_early_withdrawal_is_refunded(hurried: LocalSystem) -> None:
    async with httpx.AsyncClient(base_url=hurried.url("gateway"), timeout=15) as gateway:
        hood = await Events.build(gateway, hurried)
        event = await factories.offline_event(hood.leader, hood.community_id, capacity=1, fee_fen=FEE)
        held = await factories.register(hood.resident, event["id"])
        waiting = await factories.register(hood.neighbour, event["id"])
        assert (held["status"], waiting["status"]) == ("awaiting_payment", "waitlisted")

        # Nobody pays: the hold runs out, the seat goes to the head of the waitlist, held afresh.
        promoted = await mine(hood.neighbour, event["id"], "awaiting_payment", timeout=15)
        assert promoted["promoted_at"] and promoted["pay_by"] > held["pay_by"]
        assert (await hood.resident.request("GET", at(event["id"], "/registrations/me"))).json()[
            "status"
        ] == "cancelled"
        [released] = await published(hurried, "community.registration.cancelled", subject=event["id"])
        assert (released.data.user_id, released.data.reason) == (hood.resident.user_id, "unpaid")

        async def refused() -> dict[str, Any] | None:  # once orders has heard the hold ended
            response = await hood.resident.request("POST", FEES, json={"registration_id": held["id"]})
            return response.json() if response.status_code == 409 else None

        assert "no longer held" in (await until(refused))["detail"]

        fee = (await pay(hood.neighbour, waiting["id"])).json()
        await mine(hood.neighbour, event["id"], "registered")
        # Withdrawing before sign-up closes gives the fee back (the seat goes to nobody: nobody waits).
        withdrawn = await hood.neighbour.request("POST", at(event["id"], "/registrations/me/cancel"))
        assert withdrawn.json()["status"] == "cancelled"
        refunded = await fee_status(hood.neighbour, fee["id"], "refunded")
        assert refunded["refund_reason"] == "you cancelled before sign-up closed"
