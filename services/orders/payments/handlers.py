"""Payment confirmations arrive as events: the gateway verifies a provider's signed callback and
publishes `gateway.payment.succeeded`; orders applies it here, in batches with its other events."""

from sqlmodel.ext.asyncio.session import AsyncSession

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
        await service.confirm_payment(
            session,
            payments=payments,
            order_id=data.order_id,
            provider_payment_id=data.provider_payment_id,
            amount_fen=data.amount_fen,
        )

    return handlers
