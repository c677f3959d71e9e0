"""What community learns from other services: orders collected an event fee (`orders.event_fee.paid`),
so the seat held for it is confirmed — once, through the inbox — or released if paid too late."""

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.events import registration
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.orders import EventFeePaid


def fee_handlers(hold: timedelta) -> EventHandlers:
    handlers = EventHandlers()

    @handlers.on(EventFeePaid)
    async def confirm_fee(session: AsyncSession, event: Event[EventFeePaid]) -> None:
        data = event.data
        await registration.confirm_fee(
            session, registration_id=data.registration_id, pay_by=data.pay_by, paid_at=data.paid_at, hold=hold
        )

    return handlers
