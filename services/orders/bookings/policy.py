"""A booking's rules, free of I/O: who moves it where, what it costs, what a late cancellation costs.

requested → confirmed / declined (the provider) → completed (the provider) → reviewed (the
resident); an open booking (requested, confirmed) is cancelled by the resident or the provider.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from services.orders.bookings.models import Booking
from services.orders.directory.models import KnownOffering
from shared.errors import Conflict, Forbidden

REQUESTED, CONFIRMED, DECLINED, CANCELLED, COMPLETED, REVIEWED = (
    "requested",
    "confirmed",
    "declined",
    "cancelled",
    "completed",
    "reviewed",
)
OPEN = (REQUESTED, CONFIRMED)  # awaiting the provider or the day; declining or cancelling frees the place
SLOT, INQUIRY = "slot", "inquiry"


class Role(StrEnum):
    """What the caller is to a booking."""

    RESIDENT = "resident"
    PROVIDER = "provider"
    LEADER = "leader"
    OPERATOR = "operator"


# (from, to) → who may move a booking so.
TRANSITIONS: dict[tuple[str, str], frozenset[Role]] = {
    (REQUESTED, CONFIRMED): frozenset({Role.PROVIDER}),
    (REQUESTED, DECLINED): frozenset({Role.PROVIDER}),
    (REQUESTED, CANCELLED): frozenset({Role.RESIDENT, Role.PROVIDER}),
    (CONFIRMED, CANCELLED): frozenset({Role.RESIDENT, Role.PROVIDER}),
    (CONFIRMED, COMPLETED): frozenset({Role.PROVIDER}),
    (COMPLETED, REVIEWED): frozenset({Role.RESIDENT}),
}


def check_transition(booking: Booking, to: str, roles: set[Role]) -> Role:
    """The role the caller moves the booking in: 409 if the move does not exist, 403 if not theirs to make."""
    allowed = TRANSITIONS.get((booking.status, to))
    if allowed is None:
        ways = sorted(b for a, b in TRANSITIONS if a == booking.status)
        raise Conflict(f"a {booking.status} booking cannot become {to}", allowed=ways)
    acting = next((role for role in (Role.PROVIDER, Role.RESIDENT) if role in allowed and role in roles), None)
    if acting is None:
        raise Forbidden(f"only the {' or the '.join(sorted(allowed))} makes a {booking.status} booking {to}")
    return acting


def takes_inquiries(offering: KnownOffering) -> bool:
    """As the directory shows it: an offering without a schedule, or priced by quote, is asked about."""
    return offering.schedule is None or offering.price_model == "quote"


def price_of(offering: KnownOffering) -> int | None:
    """What one booking costs, in fen: a fixed price, an hourly price for the slot's length, or
    nothing; None for a quote."""
    if offering.price_model == "quote":
        return None
    if offering.price_model == "hourly":
        return round((offering.price_fen or 0) * offering.slot_minutes / 60)
    return offering.price_fen or 0


def cancellation_fee(booking: Booking, *, by: Role, now: datetime) -> int:
    """A resident cancelling a confirmed slot inside the provider's notice period pays the late fee
    (fixed, or a percentage of the price); otherwise, and always when the provider cancels, nothing."""
    if by != Role.RESIDENT or booking.status != CONFIRMED or booking.starts_at is None:
        return 0
    if now < booking.starts_at - timedelta(hours=booking.free_cancellation_hours):
        return 0
    if booking.late_cancellation_fee_fen is not None:
        return booking.late_cancellation_fee_fen
    if booking.late_cancellation_fee_percent is not None:
        return round((booking.price_fen or 0) * booking.late_cancellation_fee_percent / 100)
    return 0
