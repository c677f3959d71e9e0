"""What orders learns of event fees from community: each seat held for payment (a sign-up or a
promotion awaiting payment), each hold that ended (withdrawn, released unpaid), each cancelled event."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.eventfees import service
from services.orders.payments.port import PaymentProvider
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.community import (
    OfflineEventCancelled,
    OfflineEventRegistered,
    RegistrationCancelled,
    RegistrationPromoted,
)

AWAITING_PAYMENT = "awaiting_payment"  # community's registration status of a seat held for its fee


def fee_handlers(payments: PaymentProvider) -> EventHandlers:
    handlers = EventHandlers()

    @handlers.on(OfflineEventRegistered)
    @handlers.on(RegistrationPromoted)
    async def remember_hold(
        session: AsyncSession, event: Event[OfflineEventRegistered] | Event[RegistrationPromoted]
    ) -> None:
        data = event.data
        if data.status != AWAITING_PAYMENT or data.fee_fen == 0 or data.pay_by is None:
            return
        await service.hold(
            session,
            registration_id=data.registration_id,
            event_id=data.event_id,
            community_id=data.community_id,
            user_id=data.user_id,
            title=data.title,
            amount_fen=data.fee_fen * data.seats,
            pay_by=data.pay_by,
        )

    @handlers.on(RegistrationCancelled)
    async def hold_ended(session: AsyncSession, event: Event[RegistrationCancelled]) -> None:
        data = event.data
        reason = "the seat was released unpaid" if data.reason == "unpaid" else "you cancelled before sign-up closed"
        await service.registration_cancelled(
            session,
            payments=payments,
            registration_id=data.registration_id,
            refund_fee=data.refund_fee,
            reason=reason,
        )

    @handlers.on(OfflineEventCancelled)
    async def refund_all(session: AsyncSession, event: Event[OfflineEventCancelled]) -> None:
        await service.event_cancelled(
            session, payments=payments, event_id=event.data.event_id, reason=event.data.reason
        )

    return handlers
