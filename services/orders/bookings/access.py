"""What the caller is to a booking: its resident, its provider (a partner's API key of that
provider), a leader of its community, an operator. Someone who is none of these is not told it exists."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.bookings.models import Booking
from services.orders.bookings.policy import Role
from shared.auth import LEADER, Principal
from shared.errors import NotFound


def roles_of(principal: Principal, booking: Booking) -> set[Role]:
    roles: set[Role] = set()
    if principal.kind == "partner":
        if principal.provider_id == booking.provider_id:
            roles.add(Role.PROVIDER)
    elif principal.kind == "user" and principal.user_id == booking.resident_id:
        roles.add(Role.RESIDENT)
    if LEADER in principal.roles_in(booking.community_id):
        roles.add(Role.LEADER)
    if principal.operator:
        roles.add(Role.OPERATOR)
    return roles


async def booking_for(
    session: AsyncSession, principal: Principal, booking_id: str, *, lock: bool = False
) -> tuple[Booking, set[Role]]:
    """The booking (read afresh under its row lock when it is to change) and the caller's roles; 404
    for anyone it does not concern."""
    query = select(Booking).where(Booking.id == booking_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    booking = (await session.exec(query)).first()
    roles = set() if booking is None else roles_of(principal, booking)
    if booking is None or not roles:
        raise NotFound(f"booking {booking_id} does not exist")
    return booking, roles
