"""Capacity and the waitlist's order under many simultaneous sign-ups and cancellations, against the
real database (SQLite; PostgreSQL when LINLI_TEST_POSTGRES_URL is set) with the service functions,
as several instances of community would run them: each its own engine and registration desk.

The proof: the events community published (its outbox, in commit order) are replayed through a
reference model of the rules — a sign-up gets a seat only when nobody waits and it fits, otherwise
it waits at the end; freed seats go to the head of the waitlist while it fits — and every step must
agree with the model, and the final rows with the model's final state."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select as core_select
from sqlmodel import col, select

from services.community.events import registration
from services.community.events.desk import RegistrationDesk, Tap
from services.community.events.models import HOLDING_SEATS, WAITLISTED, OfflineEvent, Registration, RegistrationCreate
from services.community.events.registration import SignUp
from shared.bus.tables import outbox
from shared.correlation import current_trace
from shared.db import Database
from shared.errors import NotFound
from tests.community.place import HOLD, Place

SEED = 20261125
REPLAYED = {"community.event.registered", "community.registration.cancelled", "community.registration.promoted"}
INSTANCES = 3


@pytest.fixture
async def instances(place: Place) -> AsyncIterator[list[tuple[Database, RegistrationDesk]]]:
    """Several instances of community on one database: an engine and a registration desk each."""
    running = []
    for _ in range(INSTANCES):
        db = Database(place.db.url)
        running.append((db, RegistrationDesk(db, hold=HOLD)))
    yield running
    for db, desk in running:
        await desk.aclose()
        await db.dispose()


@dataclass
class Model:
    """The rules, replayed: seats taken, and the waitlist as (registration id, seats) in order."""

    capacity: int
    taken: int = 0
    seats: dict[str, int] = field(default_factory=dict)  # registration → seats, while it holds them
    waitlist: list[tuple[str, int]] = field(default_factory=list)
    promotions: int = 0

    def settled(self) -> None:
        """Between transactions: nobody waits who could have a seat."""
        assert not (self.waitlist and self.waitlist[0][1] <= self.capacity - self.taken), "a promotable head waits"

    def apply(self, kind: str, data: dict[str, object]) -> None:
        reg, seats = str(data["registration_id"]), int(str(data["seats"]))
        if kind == "community.event.registered":
            self.settled()
            fits = not self.waitlist and self.taken + seats <= self.capacity
            if data["status"] == WAITLISTED:
                assert not fits, "waitlisted although a seat was free and nobody waited"
                self.waitlist.append((reg, seats))
                assert data["waitlist_position"] == len(self.waitlist)
            else:
                assert fits, "a seat given while others waited, or beyond capacity"
                self.taken += seats
                self.seats[reg] = seats
        elif kind == "community.registration.cancelled":
            self.settled()
            if data["was"] == WAITLISTED:
                self.waitlist.remove((reg, seats))
            else:
                self.taken -= self.seats.pop(reg)
        elif kind == "community.registration.promoted":
            assert self.waitlist[0] == (reg, seats), "promoted out of order"
            assert self.taken + seats <= self.capacity, "promoted beyond capacity"
            self.waitlist.pop(0)
            self.taken += seats
            self.seats[reg] = seats
            self.promotions += 1
        assert 0 <= self.taken <= self.capacity


async def replay(db: Database, event: OfflineEvent) -> Model:
    model = Model(capacity=event.capacity)
    async with db.reader() as session:
        rows = (await session.execute(core_select(outbox.c.type, outbox.c.payload).order_by(outbox.c.seq))).all()
    for kind, payload in rows:
        data = json.loads(payload)["data"]
        if data.get("event_id") == event.id and kind in REPLAYED:
            model.apply(kind, data)
    model.settled()
    return model


async def rows_of(db: Database, event_id: str) -> tuple[OfflineEvent, list[Registration]]:
    async with db.reader() as session:
        event = await session.get(OfflineEvent, event_id)
        assert event is not None
        query = select(Registration).where(Registration.event_id == event_id).order_by(col(Registration.seq))
        return event, list((await session.exec(query)).all())


def check_rows(model: Model, event: OfflineEvent, rows: list[Registration]) -> None:
    holding = {r.id: r.seats for r in rows if r.status in HOLDING_SEATS}
    waiting = [(r.id, r.seats) for r in rows if r.status == WAITLISTED]  # rows in arrival order
    assert holding == model.seats and waiting == model.waitlist
    assert event.seats_taken == sum(holding.values()) == model.taken <= event.capacity
    assert event.waitlisted == len(waiting)
    assert len({r.seq for r in rows}) == len(rows) and len({r.code for r in rows}) == len(rows)


async def test_sign_ups_and_cancellations_at_once_keep_capacity_and_order(
    place: Place, instances: list[tuple[Database, RegistrationDesk]]
) -> None:
    rng = random.Random(SEED)
    event = await place.event(capacity=25, max_companions=2)
    people = await place.residents(150)

    async def one(index: int) -> None:
        """A resident signs up (through some instance's desk); some cancel a moment later, some come back."""
        who = people[index]
        db, desk = instances[rng.randrange(INSTANCES)]
        companions, cancels, returns = rng.choice([0, 0, 0, 1, 2]), rng.random() < 0.45, rng.random() < 0.3
        pauses = [rng.random() * 0.05 for _ in range(3)]
        await asyncio.sleep(pauses[0])
        data = RegistrationCreate(companions=companions)
        await desk.sign_up(Tap(SignUp(principal=who, event_id=event.id, data=data), current_trace()))
        if not cancels:
            return
        await asyncio.sleep(pauses[1])
        async with db.session() as session:
            await registration.withdraw(session, principal=who, event_id=event.id, hold=HOLD)
            await session.commit()
        if returns:
            await asyncio.sleep(pauses[2])
            await desk.sign_up(Tap(SignUp(principal=who, event_id=event.id, data=data), current_trace()))

    await asyncio.gather(*(one(i) for i in range(len(people))))
    model = await replay(place.db, event)
    event_now, rows = await rows_of(place.db, event.id)
    check_rows(model, event_now, rows)
    assert event_now.seats_taken > 20 and event_now.waitlisted > 0 and model.promotions > 0  # the test tested


async def test_a_rush_is_served_in_arrival_order(
    place: Place, instances: list[tuple[Database, RegistrationDesk]]
) -> None:
    """500 taps on one instance at once for 50 seats: 50 seats to the first 50, the rest wait in order."""
    event = await place.event(capacity=50)
    _, desk = instances[0]
    people = await place.residents(500)
    taps = [Tap(SignUp(principal=p, event_id=event.id, data=RegistrationCreate()), current_trace()) for p in people]
    signed = await asyncio.gather(*(desk.sign_up(tap) for tap in taps))
    assert [s.registration.seq for s in signed] == list(range(1, 501))
    assert [s.registration.status for s in signed] == ["registered"] * 50 + [WAITLISTED] * 450
    assert [s.waitlist_position for s in signed[50:]] == list(range(1, 451))
    model = await replay(place.db, event)
    event_now, rows = await rows_of(place.db, event.id)
    check_rows(model, event_now, rows)
    # Seats freed by the first ten go to the first ten waiting, in order.
    async with place.db.session() as session:
        for who in people[:10]:
            await registration.withdraw(session, principal=who, event_id=event.id, hold=HOLD)
        await session.commit()
    _, rows = await rows_of(place.db, event.id)
    promoted = sorted((r for r in rows if r.promoted_at is not None), key=lambda r: r.seq)
    assert [r.user_id for r in promoted] == [p.user_id for p in people[50:60]]
    check_rows(await replay(place.db, event), *(await rows_of(place.db, event.id)))
    with pytest.raises(NotFound):
        async with place.db.session() as session:
            await registration.withdraw(session, principal=people[0], event_id=event.id, hold=HOLD)
