"""Event fees in orders with a fake payment provider (the port only; the handlers, the inbox and the
database are real): a fee learnt from community's events is paid once, announced once, and every
payment that cannot be kept — the event cancelled, the hold over, the wrong amount, a second
payment — goes back exactly once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col
from sqlmodel import select as select_rows

from services.orders.eventfees import service as eventfees
from services.orders.eventfees.handlers import fee_handlers
from services.orders.eventfees.models import PAID, REFUNDED, VOID, EventFee
from services.orders.models import metadata
from services.orders.payments.handlers import payment_handlers
from shared import migrations
from shared.auth import Principal
from shared.bus import EventHandlers
from shared.bus.tables import outbox
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events import Event, EventData, new_event
from shared.events.schemas.community import OfflineEventCancelled, OfflineEventRegistered, RegistrationCancelled
from shared.events.schemas.gateway import PaymentSucceeded
from shared.models import new_id, utcnow
from tests.databases import Databases

COMMUNITY, EVENT, RESIDENT = "c" * 32, "e" * 32, "r" * 32
FEE = 1500


class FakePayments:
    """The payment-provider port, recording what it was asked (no callback: the tests confirm)."""

    def __init__(self) -> None:
        self.requested: list[tuple[str, int]] = []
        self.refunded: list[tuple[str, int]] = []

    async def request_payment(self, *, order_id: str, amount_fen: int) -> None:
        self.requested.append((order_id, amount_fen))

    async def refund(self, *, order_id: str, amount_fen: int) -> None:
        self.refunded.append((order_id, amount_fen))

    async def close(self) -> None:
        pass


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    database = Database(await databases.new("orders"))
    await migrations.upgrade(database, "orders", metadata)
    yield database
    await database.dispose()


@pytest.fixture
def payments() -> FakePayments:
    return FakePayments()


@pytest.fixture
def handlers(payments: FakePayments) -> EventHandlers:
    return EventHandlers.combine(payment_handlers(payments), fee_handlers(payments))


def event(data: EventData) -> Event[Any]:
    return new_event(data, subject=EVENT, community_id=COMMUNITY)


def held(registration_id: str, *, seats: int = 2) -> Event[Any]:
    return event(
        OfflineEventRegistered(
            registration_id=registration_id,
            event_id=EVENT,
            community_id=COMMUNITY,
            organiser_id="o" * 32,
            user_id=RESIDENT,
            status="awaiting_payment",
            companions=seats - 1,
            seats=seats,
            title="端午包粽子",
            fee_fen=FEE,
            pay_by=(utcnow() + timedelta(minutes=30)).replace(microsecond=0),
        )
    )


def confirmed(fee: EventFee, *, payment_id: str = "sim_1", amount_fen: int | None = None) -> Event[Any]:
    data = PaymentSucceeded(order_id=fee.id, provider_payment_id=payment_id, amount_fen=amount_fen or fee.amount_fen)
    return new_event(data, subject=fee.id)


def cancelled(registration_id: str, *, refund_fee: bool, reason: str = "withdrawn") -> Event[Any]:
    return event(
        RegistrationCancelled(
            registration_id=registration_id,
            event_id=EVENT,
            community_id=COMMUNITY,
            organiser_id="o" * 32,
            user_id=RESIDENT,
            was="registered",
            seats=2,
            reason=reason,
            refund_fee=refund_fee,
        )
    )


async def fees_of(db: Database, registration_id: str) -> list[EventFee]:
    async with db.reader() as session:
        query = select_rows(EventFee).where(EventFee.registration_id == registration_id)
        return list((await session.exec(query.order_by(col(EventFee.created_at)))).all())


async def announced(db: Database, kind: str) -> list[dict[str, Any]]:
    async with db.reader() as session:
        rows = (await session.execute(select(outbox.c.payload).where(outbox.c.type == kind))).all()
    return [json.loads(payload)["data"] for (payload,) in rows]


async def pay(db: Database, payments: FakePayments, registration_id: str, user_id: str = RESIDENT) -> EventFee:
    async with db.session() as session:
        fee = await eventfees.pay(
            session, principal=Principal(user_id=user_id), payments=payments, registration_id=registration_id
        )
        await session.commit()
    await asyncio.sleep(0.01)  # the provider is asked once the transaction commits
    return fee


async def applied(handlers: EventHandlers, db: Database, *events: Event[Any]) -> None:
    outcomes = await handlers.apply(db, list(events))
    assert all(o.status in ("applied", "duplicate") for o in outcomes), outcomes
    await asyncio.sleep(0.01)  # refunds go out once the transaction commits


async def test_a_fee_is_paid_once_and_refunded_once_when_the_event_is_cancelled_with_a_fake_provider(
    db: Database, payments: FakePayments, handlers: EventHandlers
) -> None:
    registration_id = new_id()
    await applied(handlers, db, held(registration_id))
    [fee] = await fees_of(db, registration_id)
    assert (fee.amount_fen, fee.title, fee.status) == (2 * FEE, "端午包粽子", "due")

    with pytest.raises(NotFound):
        await pay(db, payments, registration_id, user_id="x" * 32)  # someone else's seat
    with pytest.raises(NotFound):
        await pay(db, payments, new_id())  # no fee: a free event, or not a registration at all
    await pay(db, payments, registration_id)
    assert payments.requested == [(fee.id, 2 * FEE)]

    payment = confirmed(fee)
    await applied(handlers, db, payment, payment, confirmed(fee))  # the provider's retries change nothing
    [fee] = await fees_of(db, registration_id)
    assert fee.status == PAID and fee.paid_at is not None
    [told] = await announced(db, "orders.event_fee.paid")
    assert (told["registration_id"], told["amount_fen"]) == (registration_id, 2 * FEE)
    with pytest.raises(Conflict):
        await pay(db, payments, registration_id)

    organiser_cancels = event(
        OfflineEventCancelled(
            event_id=EVENT,
            community_id=COMMUNITY,
            title="端午包粽子",
            starts_at=utcnow(),
            reason="暴雨",
            recipient_ids=[RESIDENT],
        )
    )
    await applied(handlers, db, organiser_cancels, organiser_cancels)
    [fee] = await fees_of(db, registration_id)
    assert fee.status == REFUNDED and "暴雨" in str(fee.refund_reason)
    assert payments.refunded == [(fee.id, 2 * FEE)]
    assert len(await announced(db, "orders.event_fee.refunded")) == 1


async def test_money_that_cannot_be_kept_goes_back_with_a_fake_provider(
    db: Database, payments: FakePayments, handlers: EventHandlers
) -> None:
    wrong, gone, twice, kept = new_id(), new_id(), new_id(), new_id()
    await applied(handlers, db, held(wrong), held(gone), held(twice), held(kept))
    fees = {r: (await fees_of(db, r))[0] for r in (wrong, gone, twice, kept)}

    await applied(handlers, db, confirmed(fees[wrong], amount_fen=1))
    # The hold ended before the money came: void, then refunded when it arrives.
    await applied(handlers, db, cancelled(gone, refund_fee=True, reason="unpaid"))
    assert (await fees_of(db, gone))[0].status == VOID
    await applied(handlers, db, confirmed(fees[gone]))
    # Paid twice: the second payment goes back, the fee stays paid.
    await applied(handlers, db, confirmed(fees[twice]), confirmed(fees[twice], payment_id="sim_2"))
    # Withdrawn after sign-up closed: community says keep it.
    await applied(handlers, db, confirmed(fees[kept]), cancelled(kept, refund_fee=False))

    status = {r: (await fees_of(db, r))[0].status for r in fees}
    assert status == {wrong: REFUNDED, gone: REFUNDED, twice: PAID, kept: PAID}
    assert sorted(payments.refunded) == sorted([(fees[r].id, 2 * FEE) for r in (gone, twice)] + [(fees[wrong].id, 1)])
    with pytest.raises(Conflict):
        await pay(db, payments, gone)  # the seat is no longer held


async def test_a_new_hold_of_the_same_registration_is_a_new_fee_with_a_fake_provider(
    db: Database, payments: FakePayments, handlers: EventHandlers
) -> None:
    registration_id = new_id()
    await applied(handlers, db, held(registration_id), held(registration_id, seats=1))
    old, new = await fees_of(db, registration_id)
    assert (old.status, new.status, new.amount_fen) == (VOID, "due", FEE)
    assert (await pay(db, payments, registration_id)).id == new.id
    await applied(handlers, db, confirmed(old))  # the old hold's late payment is not the new one's
    assert [f.status for f in await fees_of(db, registration_id)] == [REFUNDED, "due"]
    assert payments.refunded == [(old.id, 2 * FEE)]
