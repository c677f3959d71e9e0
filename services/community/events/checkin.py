"""Check-in at the door: the organiser or a helper types the participant's code or scans its QR
code; a code works once, and only for someone holding a (paid) seat at this event."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.events import access
from services.community.events.models import (
    AWAITING_PAYMENT,
    CHECKED_IN,
    CLOSED,
    PUBLISHED,
    QR_PREFIX,
    REGISTERED,
    WAITLISTED,
    Registration,
)
from services.community.events.rows import lock
from shared import codes
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound
from shared.events.schemas.community import OfflineEventCheckedIn
from shared.models import utcnow

_REFUSED = {
    WAITLISTED: "is on the waitlist and has no seat",
    AWAITING_PAYMENT: "has not paid the fee yet",
}


async def check_in(session: AsyncSession, *, principal: Principal, event_id: str, code: str) -> Registration:
    event = await access.visible_event(session, principal=principal, event_id=event_id)
    await access.require_door(session, principal, event)
    event = await lock(session, event.id)  # two helpers scanning one code: the second waits, then sees it
    if event.status not in (PUBLISHED, CLOSED):
        raise Conflict(f"this event is {event.status}; check-in is over (or has not begun)")
    typed = codes.from_input(code, qr_prefix=QR_PREFIX)
    registration = (
        await session.exec(select(Registration).where(Registration.event_id == event.id, Registration.code == typed))
    ).first()
    if registration is None:
        raise NotFound(f"no sign-up for this event has the code {typed}")
    if registration.status == CHECKED_IN:
        assert registration.checked_in_at is not None
        raise Conflict(
            f"already checked in at {registration.checked_in_at.isoformat()}", registration_id=registration.id
        )
    if registration.status != REGISTERED:
        reason = _REFUSED.get(registration.status, "cancelled their sign-up")
        raise Conflict(
            f"this code's holder {reason}", registration_id=registration.id, registration_status=registration.status
        )
    registration.status, registration.checked_in_at, registration.checked_in_by = (
        CHECKED_IN,
        utcnow(),
        principal.user_id,
    )
    session.add(registration)
    await emit(
        session,
        OfflineEventCheckedIn(
            registration_id=registration.id,
            event_id=event.id,
            community_id=event.community_id,
            user_id=registration.user_id,
            checked_in_by=principal.user_id,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=principal.user_id,
    )
    return registration
