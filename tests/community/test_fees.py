"""Seats at events with a fee, against a real database: held for payment until `pay_by`, confirmed
once when orders says the fee was paid in time, released by the clock (or by a late payment) with
the waitlist moving up under a fresh hold, and a withdrawal refunded only before sign-up closes."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.community.events import clock, registration
from services.community.events import service as events
from services.community.events.models import (
    AWAITING_PAYMENT,
    REGISTERED,
    WAITLISTED,
    WITHDRAWN,
    OfflineEvent,
    Registration,
    RegistrationCreate,
)
from shared.auth import Principal
from shared.models import utcnow
from tests.community.place import HOLD, Place
from tests.community.test_clock import events_of

LEAD = timedelta(hours=2)
FEE = 2000


async def sign_up(place: Place, event_id: str, who: Principal, companions: int = 0) -> Registration:
    async with place.db.session() as session:
        signed = await registration.sign_up(
            session, principal=who, event_id=event_id, data=RegistrationCreate(companions=companions), hold=HOLD
        )
        await session.commit()
    return signed.registration


async def current(place: Place, registration_id: str) -> Registration:
    async with place.db.reader() as session:
        found = await session.get(Registration, registration_id)
        assert found is not None
        return found


async def paid(place: Place, held: Registration, *, pay_by: datetime | None = None, at: datetime | None = None) -> None:
    """What `orders.event_fee.paid` does, once per event (the inbox keeps it so)."""
    assert held.pay_by is not None
    async with place.db.session() as session:
        await registration.confirm_fee(
            session, registration_id=held.id, pay_by=pay_by or held.pay_by, paid_at=at or utcnow(), hold=HOLD
        )
        await session.commit()


async def test_a_seat_is_held_until_paid_then_confirmed_once(place: Place) -> None:
    event = await place.event(capacity=5, fee_fen=FEE)
    [resident] = await place.residents(1)
    before = utcnow()
    held = await sign_up(place, event.id, resident, companions=1)
    assert held.status == AWAITING_PAYMENT and held.pay_by is not None
    assert before + HOLD - timedelta(seconds=1) <= held.pay_by <= utcnow() + HOLD
    [told] = await events_of(place, "community.event.registered", event.id)
    assert (told["fee_fen"], told["seats"], told["title"]) == (FEE, 2, event.title)
    assert datetime.fromisoformat(str(told["pay_by"])) == held.pay_by

    await paid(place, held, pay_by=held.pay_by + timedelta(seconds=1))  # another hold's payment: not this one
    assert (await current(place, held.id)).status == AWAITING_PAYMENT
    await paid(place, held)
    await paid(place, held)  # nothing more: the seat is confirmed already
    assert (await current(place, held.id)).status == REGISTERED
    [confirmed] = await events_of(place, "community.registration.confirmed", event.id)
    assert (confirmed["user_id"], confirmed["seats"]) == (resident.user_id, 2)


async def test_unpaid_seats_go_to_the_waitlist_with_a_fresh_hold(place: Place) -> None:
    event = await place.event(capacity=1, fee_fen=FEE)
    first, second = await place.residents(2)
    held = await sign_up(place, event.id, first)
    waiting = await sign_up(place, event.id, second)
    assert waiting.status == WAITLISTED and waiting.pay_by is None
    assert held.pay_by is not None

    await clock.tick(place.db, now=held.pay_by - timedelta(seconds=1), lead=LEAD, hold=HOLD)
    assert (await current(place, held.id)).status == AWAITING_PAYMENT
    for _ in range(2):
        await clock.tick(place.db, now=held.pay_by, lead=LEAD, hold=HOLD)
    assert (await current(place, held.id)).status == WITHDRAWN
    promoted = await current(place, waiting.id)
    assert promoted.status == AWAITING_PAYMENT and promoted.pay_by == held.pay_by + HOLD
    [released] = await events_of(place, "community.registration.cancelled", event.id)
    assert (released["user_id"], released["reason"], released["refund_fee"]) == (first.user_id, "unpaid", True)
    [moved_up] = await events_of(place, "community.registration.promoted", event.id)
    assert (moved_up["status"], moved_up["fee_fen"]) == (AWAITING_PAYMENT, FEE)

    await paid(place, held)  # its hold is over: orders refunds it on the cancellation
    assert (await current(place, held.id)).status == WITHDRAWN


async def test_a_payment_after_the_hold_releases_the_seat_for_a_refund(place: Place) -> None:
    event = await place.event(capacity=1, fee_fen=FEE)
    first, second = await place.residents(2)
    held = await sign_up(place, event.id, first)
    waiting = await sign_up(place, event.id, second)
    assert held.pay_by is not None
    await paid(place, held, at=held.pay_by + timedelta(seconds=1))
    assert (await current(place, held.id)).status == WITHDRAWN
    assert (await current(place, waiting.id)).status == AWAITING_PAYMENT
    [released] = await events_of(place, "community.registration.cancelled", event.id)
    assert (released["reason"], released["refund_fee"]) == ("unpaid", True)


async def test_a_paid_fee_is_refunded_only_when_withdrawn_before_sign_up_closes(place: Place) -> None:
    early, late = await place.event(fee_fen=FEE), await place.event(fee_fen=FEE)
    resident = (await place.residents(1))[0]
    for event in (early, late):
        await paid(place, await sign_up(place, event.id, resident))
    async with place.db.session() as session:  # sign-up for the late one has closed since (no sleeping on a clock)
        closed = await session.get(OfflineEvent, late.id)
        assert closed is not None
        closed.registration_closes_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    for event in (early, late):
        async with place.db.session() as session:
            await registration.withdraw(session, principal=resident, event_id=event.id, hold=HOLD)
            await session.commit()
    [before_closing] = await events_of(place, "community.registration.cancelled", early.id)
    [after_closing] = await events_of(place, "community.registration.cancelled", late.id)
    assert (before_closing["refund_fee"], after_closing["refund_fee"]) == (True, False)


async def test_a_cancelled_event_holds_no_seat_for_payment(place: Place) -> None:
    event = await place.event(fee_fen=FEE)
    [resident] = await place.residents(1)
    held = await sign_up(place, event.id, resident)
    async with place.db.session() as session:
        await events.cancel(session, principal=place.leader, event_id=event.id, reason="暴雨")
        await session.commit()
    assert held.pay_by is not None
    await clock.tick(place.db, now=held.pay_by + timedelta(minutes=1), lead=LEAD, hold=HOLD)
    await paid(place, held)  # orders refunds it: the event was cancelled
    after = await current(place, held.id)
    assert (after.status, after.pay_by) == (AWAITING_PAYMENT, None)
    assert await events_of(place, "community.registration.cancelled", event.id) == []
    assert await events_of(place, "community.registration.confirmed", event.id) == []
