"""A booking's rules without I/O: who moves it where, what it costs, what a late cancellation costs,
and which starts a schedule offers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.orders.bookings import policy, slots
from services.orders.bookings.models import Booking
from services.orders.bookings.policy import Role
from services.orders.directory.models import KnownOffering
from shared.errors import Conflict, Forbidden

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Tuesday


def offering(**overrides: Any) -> KnownOffering:
    fields: dict[str, Any] = {
        "id": "o1",
        "provider_id": "p1",
        "name": "上门保洁",
        "category": "housekeeping",
        "price_model": "fixed",
        "price_fen": 20000,
        "schedule": "DTSTART;TZID=Asia/Shanghai:20261201T090000\nRRULE:FREQ=WEEKLY;BYDAY=SA;BYHOUR=9,14",
        "slot_minutes": 90,
        "capacity": 2,
        "status": "active",
        "free_cancellation_hours": 24,
        "late_cancellation_fee_fen": None,
        "late_cancellation_fee_percent": 30,
        "as_of": NOW,
    }
    return KnownOffering(**(fields | overrides))


def booking(status: str = "confirmed", starts_in: timedelta = timedelta(hours=3), **overrides: Any) -> Booking:
    fields: dict[str, Any] = {
        "kind": "slot",
        "offering_id": "o1",
        "offering_name": "上门保洁",
        "category": "housekeeping",
        "provider_id": "p1",
        "community_id": "c1",
        "resident_id": "r1",
        "status": status,
        "starts_at": NOW + starts_in,
        "price_fen": 20000,
        "free_cancellation_hours": 24,
        "late_cancellation_fee_fen": None,
        "late_cancellation_fee_percent": 30,
    }
    return Booking(**(fields | overrides))


@pytest.mark.parametrize(
    ("status", "to", "roles", "outcome"),
    [
        ("requested", "confirmed", {Role.PROVIDER}, Role.PROVIDER),
        ("requested", "cancelled", {Role.RESIDENT}, Role.RESIDENT),
        ("confirmed", "cancelled", {Role.PROVIDER}, Role.PROVIDER),
        ("completed", "reviewed", {Role.RESIDENT}, Role.RESIDENT),
        ("requested", "confirmed", {Role.RESIDENT, Role.LEADER}, Forbidden),
        ("completed", "reviewed", {Role.PROVIDER, Role.OPERATOR}, Forbidden),
        ("requested", "reviewed", {Role.RESIDENT}, Conflict),
        ("declined", "confirmed", {Role.PROVIDER}, Conflict),
        ("cancelled", "cancelled", {Role.RESIDENT}, Conflict),
        ("reviewed", "reviewed", {Role.RESIDENT}, Conflict),
    ],
)
def test_transitions(status: str, to: str, roles: set[Role], outcome: Any) -> None:
    if isinstance(outcome, Role):
        assert policy.check_transition(booking(status), to, roles) == outcome
    else:
        with pytest.raises(outcome):
            policy.check_transition(booking(status), to, roles)


def test_prices() -> None:
    assert policy.price_of(offering()) == 20000
    assert policy.price_of(offering(price_model="hourly", price_fen=6000)) == 9000  # 90 minutes
    assert policy.price_of(offering(price_model="free", price_fen=None)) == 0
    assert policy.price_of(offering(price_model="quote", price_fen=None)) is None


def test_late_cancellation_fees() -> None:
    late, early = timedelta(hours=3), timedelta(hours=30)
    assert policy.cancellation_fee(booking(starts_in=early), by=Role.RESIDENT, now=NOW) == 0
    assert policy.cancellation_fee(booking(starts_in=late), by=Role.RESIDENT, now=NOW) == 6000  # 30 %
    fixed = booking(starts_in=late, late_cancellation_fee_fen=1500, late_cancellation_fee_percent=None)
    assert policy.cancellation_fee(fixed, by=Role.RESIDENT, now=NOW) == 1500
    assert policy.cancellation_fee(booking(starts_in=late), by=Role.PROVIDER, now=NOW) == 0
    assert policy.cancellation_fee(booking("requested", starts_in=late), by=Role.RESIDENT, now=NOW) == 0
    no_fee = booking(starts_in=late, late_cancellation_fee_percent=None)
    assert policy.cancellation_fee(no_fee, by=Role.RESIDENT, now=NOW) == 0
    started = booking(starts_in=-timedelta(minutes=10))
    assert policy.cancellation_fee(started, by=Role.RESIDENT, now=NOW) == 6000


def test_inquiries_where_the_directory_sends_residents_to_ask() -> None:
    assert not policy.takes_inquiries(offering())
    assert policy.takes_inquiries(offering(schedule=None))
    assert policy.takes_inquiries(offering(price_model="quote", price_fen=None))


def test_schedule_occurrences_in_utc() -> None:
    saturday = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    week = slots.occurrences(offering(), NOW, NOW + timedelta(days=7))
    assert week == [saturday, saturday + timedelta(hours=5)]
    assert slots.occurrences(offering(), saturday, saturday) == [saturday]
    assert slots.occurrences(offering(), saturday + timedelta(minutes=1), saturday + timedelta(minutes=1)) == []
    assert slots.occurrences(offering(schedule=None), NOW, NOW + timedelta(days=7)) == []
