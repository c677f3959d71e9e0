"""Payment confirmations arrive as events: the gateway verifies a provider's signed callback and
publishes `gateway.payment.succeeded`; orders applies it here, in batches with its other events.
The payment's reference (`order_id`) names a deal's order or an event fee."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.eventfees import service as eventfees
from services.orders.orders import service
from services.orders.payments.port import PaymentProvider
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.gateway import PaymentSucceeded


def payment_handlers(payments: PaymentProvider) -> EventHandlers:
    handlers = EventHandlers()

    @handlers.on(PaymentSucceeded)
    async def confirm_payment(session: AsyncSession, event: Event[PaymentSucceeded]) -> None:
        data = event.data
        if await eventfees.is_fee(session, data.order_id):
            await eventfees.confirm_payment(
                session,
                payments=payments,
                fee_id=data.order_id,
                provider_payment_id=data.provider_payment_id,
                amount_fen=data.amount_fen,
            )
            return
        await service.confirm_payment(
            session,
            payments=payments,
            order_id=data.order_id,
            provider_payment_id=data.provider_payment_id,
            amount_fen=data.amount_fen,
        )

    return handlers
