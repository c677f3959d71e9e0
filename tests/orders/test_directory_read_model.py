"""Orders' read model of catalog's directory, fed by catalog's events through the real handlers and
a real database: the newest offering snapshot and listing state win whatever order events come in,
and a suspension flags a provider's open bookings in that community once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from services.orders.bookings.models import Booking
from services.orders.directory.models import KnownListing, KnownOffering
from services.orders.handlers import handlers
from services.orders.models import metadata
from shared import migrations
from shared.bus.tables import outbox
from shared.db import Database
from shared.events import Event, EventData, new_event
from shared.events.schemas.catalog import ListingListed, ListingSuspended, OfferingCreated, OfferingUpdated
from tests.databases import Databases

PROVIDER, COMMUNITY, OTHER, OFFERING = "p" * 32, "c" * 32, "d" * 32, "o" * 32


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    database = Database(await databases.new("orders"))
    await migrations.upgrade(database, "orders", metadata)
    yield database
    await database.dispose()


def at(data: EventData, minutes: int, *, community_id: str | None = None) -> Event[EventData]:
    event = new_event(data, subject=PROVIDER, community_id=community_id)
    return event.model_copy(update={"time": datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minutes)})


def snapshot(**overrides: Any) -> dict[str, Any]:
    return {
        "offering_id": OFFERING,
        "provider_id": PROVIDER,
        "name": "上门保洁",
        "category": "housekeeping",
        "price_model": "fixed",
        "price_fen": 20000,
        "schedule": None,
        "slot_minutes": 60,
        "capacity": 2,
        "status": "active",
        "free_cancellation_hours": 24,
        "late_cancellation_fee_fen": None,
        "late_cancellation_fee_percent": None,
        **overrides,
    }


def moved(schema: type[ListingListed] | type[ListingSuspended], minutes: int, community_id: str = COMMUNITY) -> Any:
    data = schema(listing_id="l" * 32, provider_id=PROVIDER, community_id=community_id, from_state=None, reason="因由")
    return at(data, minutes, community_id=community_id)


async def test_the_newest_snapshot_and_state_win(db: Database) -> None:
    updated = OfferingUpdated(**snapshot(price_fen=25000, capacity=3), changed=["price_fen", "capacity"])
    await handlers.apply(db, [at(updated, 5), at(OfferingCreated(**snapshot()), 1)])  # the creation came late
    await handlers.apply(db, [moved(ListingSuspended, 9), moved(ListingListed, 3)])
    async with db.reader() as session:
        offering = await session.get(KnownOffering, OFFERING)
        listing = await session.get(KnownListing, (PROVIDER, COMMUNITY))
    assert offering is not None and (offering.price_fen, offering.capacity) == (25000, 3)
    assert listing is not None and listing.state == "suspended"


async def test_a_suspension_flags_the_open_bookings_of_that_community_once(db: Database) -> None:
    await handlers.apply(db, [moved(ListingListed, 1), moved(ListingListed, 1, OTHER)])
    async with db.session() as session:
        for status, community in (("requested", COMMUNITY), ("confirmed", COMMUNITY), ("cancelled", COMMUNITY)):
            session.add(booking(status, community))
        session.add(booking("requested", OTHER))
        await session.commit()

    await handlers.apply(db, [moved(ListingSuspended, 5)])
    await handlers.apply(db, [moved(ListingSuspended, 6)])  # suspended again later: flagged already

    async with db.reader() as session:
        rows = (await session.exec(select(Booking).order_by(Booking.status))).all()
        flags = (await session.execute(select(outbox.c.type).where(outbox.c.type == "orders.booking.flagged"))).all()
    flagged = {(b.status, b.community_id) for b in rows if b.flagged_at is not None}
    assert flagged == {("requested", COMMUNITY), ("confirmed", COMMUNITY)}
    assert len(flags) == 2


def booking(status: str, community_id: str) -> Booking:
    return Booking(
        kind="inquiry",
        offering_id=OFFERING,
        offering_name="上门保洁",
        category="housekeeping",
        provider_id=PROVIDER,
        community_id=community_id,
        resident_id="r" * 32,
        status=status,
        price_fen=20000,
        free_cancellation_hours=24,
        late_cancellation_fee_fen=None,
        late_cancellation_fee_percent=None,
    )
